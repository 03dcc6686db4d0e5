import { aws_cloudwatch as cloudwatch, Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Where watchers put their dashboard widgets: one section per watched area. */
export interface DashboardSink {
  /** Appends widgets to a section, named after a construct directly under `PlatformMonitoring`. */
  add(section: string, ...widgets: cloudwatch.IWidget[]): void;
}

/** The heading of each section; a section not listed here is headed by its id. */
const SECTION_TITLES: Record<string, string> = {
  Edge: 'Edge: CloudFront and WAF',
  LoadBalancer: 'Load balancer',
  Pods: 'API and web pods (Container Insights)',
  Database: 'Aurora PostgreSQL',
  Pipeline: 'Analysis pipeline (Step Functions)',
  Batch: 'Batch jobs (from job-state events)',
  Buckets: 'S3 requests',
  Worker: 'Worker application errors',
  ApiAvailabilitySlo: 'SLO: API availability',
  ApiLatencySlo: 'SLO: API latency',
  AnalysisSuccessSlo: 'SLO: analysis success',
  TimeToResultSlo: 'SLO: time to result',
};

/** What the dashboard shows above the sections. */
export interface DashboardOptions {
  /** The time range the dashboard opens with. */
  readonly interval: Duration;
  /** The title of the alarm status widget. */
  readonly alarmsTitle: string;
  /** The alarms that notify (pages, tickets, SLO alerts), in the status widget. */
  readonly alarms: cloudwatch.IAlarm[];
}

/**
 * The dashboard's sections, in the order they are first written to: the order in which
 * `PlatformMonitoring` runs its watchers is the order of the dashboard.
 */
export class DashboardSections implements DashboardSink {
  private readonly sections: { id: string; title: string; widgets: cloudwatch.IWidget[] }[] = [];

  public add(section: string, ...widgets: cloudwatch.IWidget[]): void {
    let found = this.sections.find((s) => s.id === section);
    if (!found) {
      found = { id: section, title: SECTION_TITLES[section] ?? section, widgets: [] };
      this.sections.push(found);
    }
    found.widgets.push(...widgets);
  }

  /** The dashboard: the alarm status first, then a heading and the widgets of each section. */
  public build(scope: Construct, id: string, options: DashboardOptions): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(scope, id, { defaultInterval: options.interval });
    const top = options.alarms;
    if (top.length > 0) {
      dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({
        title: options.alarmsTitle,
        alarms: top,
        width: 24,
        height: Math.min(2 + Math.ceil(top.length / 4), 12),
      }));
    }
    for (const section of this.sections) {
      if (section.widgets.length === 0) continue;
      dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${section.title}`, width: 24, height: 1 }));
      dashboard.addWidgets(...section.widgets);
    }
    return dashboard;
  }
}
