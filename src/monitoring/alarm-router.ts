import {
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cwActions,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DashboardSink } from './dashboard';
import { StageThresholds } from './thresholds';
import { Acknowledge } from '../compliance/acknowledge';
import { PlatformStage } from '../stage/platform-stage';

/** Where the alarm descriptions point to. */
const RUNBOOK = 'docs/operations/runbook.md';

/** The runbook section of an anchor, as alarm descriptions cite it. */
export function runbook(anchor: string): string {
  return `${RUNBOOK}#${anchor}`;
}

/** `page`: a human now, through the area's paging composite; `ticket`: the ticket topic. */
export type Severity = 'page' | 'ticket';
/** The groups of paging alarms: one composite alarm pages per group. */
export type PageGroup = 'Edge' | 'Api' | 'Analyses';

/** An alarm: what it watches, when it fires, where it goes and what it tells the person it reaches. */
export interface AlarmSpec {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  /** @default GREATER_THAN_THRESHOLD */
  readonly comparison?: cloudwatch.ComparisonOperator;
  /** @default - the stage's */
  readonly evaluationPeriods?: number;
  /** @default - the stage's */
  readonly datapointsToAlarm?: number;
  /** @default NOT_BREACHING */
  readonly missing?: cloudwatch.TreatMissingData;
  /** `member`: only a part of a composite alarm, which notifies instead. */
  readonly severity: Severity | 'member';
  readonly group: PageGroup;
  /** What the alarm means, as one sentence without the final stop. */
  readonly what: string;
  /** The first thing to do. */
  readonly firstStep: string;
  /** The runbook section. */
  readonly anchor: string;
}

/** A composite alarm and where it goes. */
export interface CompositeSpec {
  readonly rule: cloudwatch.IAlarmRule;
  readonly severity: Severity;
  readonly group: PageGroup;
  readonly description: string;
}

/** What the router needs from `PlatformMonitoring`. */
export interface AlarmRouterOptions {
  readonly stage: PlatformStage;
  readonly thresholds: StageThresholds;
  /** The topic of the paging composites. */
  readonly alarmTopic: sns.ITopic;
  readonly ticketTopic: sns.ITopic;
  /** Each alarm gets a widget in the section of the area it was created in. */
  readonly dashboard: DashboardSink;
}

/**
 * Creates every alarm and decides where it notifies: tickets go to the ticket topic; pages join
 * their group's composite alarm, which alone publishes to the page topic (one page per area per
 * incident); members of composites notify through them only.
 */
export class AlarmRouter {
  /** Every metric alarm, in creation order. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** Every composite alarm, in creation order (the paging ones last). */
  public readonly compositeAlarms: cloudwatch.CompositeAlarm[] = [];
  private readonly pages = new Map<PageGroup, cloudwatch.IAlarm[]>();
  private readonly silentMembers: cloudwatch.Alarm[] = [];

  /**
   * @param root the `PlatformMonitoring` construct: the paging composites are created in it, and
   * an alarm's dashboard section is named after the construct under it that holds the alarm
   */
  constructor(private readonly root: Construct, private readonly options: AlarmRouterOptions) {}

  /** The one stage rule of routing: only production stages page; elsewhere a page opens a ticket. */
  public severity<S extends Severity | 'member'>(requested: S): S | 'ticket' {
    return requested === 'page' && !this.options.stage.production ? 'ticket' : requested;
  }

  /** A metric alarm in `scope`, routed by its severity, with its widget on the dashboard. */
  public alarm(scope: Construct, id: string, spec: AlarmSpec): cloudwatch.Alarm {
    const severity = this.severity(spec.severity);
    const label = severity === 'page' ? 'PAGE' : severity === 'ticket' ? 'TICKET' : 'PART OF A COMPOSITE';
    const alarm = new cloudwatch.Alarm(scope, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods ?? this.options.thresholds.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm ?? this.options.thresholds.datapointsToAlarm,
      treatMissingData: spec.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${label}: ${spec.what}. First: ${spec.firstStep}. Runbook: ${runbook(spec.anchor)}`,
    });
    this.alarms.push(alarm);
    if (severity === 'ticket') {
      alarm.addAlarmAction(new cwActions.SnsAction(this.options.ticketTopic));
    } else {
      // Paging members and burn-rate windows notify through their composite alarm only.
      this.silentMembers.push(alarm);
      if (severity === 'page') this.addPage(spec.group, alarm);
    }
    this.options.dashboard.add(sectionOf(this.root, scope),
      new cloudwatch.AlarmWidget({ alarm, title: `${scope.node.id} ${id}`, width: 8 }));
    return alarm;
  }

  /** A composite alarm in `scope`: a page joins its group's paging composite, a ticket notifies itself. */
  public composite(scope: Construct, id: string, spec: CompositeSpec): cloudwatch.CompositeAlarm {
    const alarm = new cloudwatch.CompositeAlarm(scope, id, { alarmRule: spec.rule, alarmDescription: spec.description });
    this.compositeAlarms.push(alarm);
    if (this.severity(spec.severity) === 'page') {
      this.addPage(spec.group, alarm);
    } else {
      alarm.addAlarmAction(new cwActions.SnsAction(this.options.ticketTopic));
    }
    return alarm;
  }

  /**
   * The paging composites, one per group that has a page (`Page<group>` in the root), on the page
   * topic for ALARM and OK. Call once, after every alarm exists.
   */
  public createPagingComposites(): void {
    for (const [group, members] of this.pages) {
      const page = new cloudwatch.CompositeAlarm(this.root, `Page${group}`, {
        alarmRule: cloudwatch.AlarmRule.anyOf(...members.map((a) => cloudwatch.AlarmRule.fromAlarm(a, cloudwatch.AlarmState.ALARM))),
        alarmDescription: `PAGE (${group}): a ${this.options.stage.name} alarm that needs a human now. ` +
          `The member alarm in ALARM says what and links to its runbook section; see ${runbook('paging')}.`,
      });
      page.addAlarmAction(new cwActions.SnsAction(this.options.alarmTopic));
      page.addOkAction(new cwActions.SnsAction(this.options.alarmTopic));
      this.compositeAlarms.push(page);
    }
  }

  /** The alarms that notify: every composite, then every metric alarm that is not a member. */
  public notifyingAlarms(): cloudwatch.IAlarm[] {
    return [...this.compositeAlarms, ...this.alarms.filter((a) => !this.silentMembers.includes(a))];
  }

  /** Members have no action of their own on purpose: tells the compliance rules so. */
  public acknowledgeSilentMembers(): void {
    for (const alarm of this.silentMembers) {
      Acknowledge.rules(alarm, 'Member of a composite alarm: it has no action of its own on purpose, the composite alarm notifies ' +
        '(paging once per incident instead of once per symptom).', [
        'HIPAA.Security-CloudWatchAlarmAction',
        'NIST.800.53.R5-CloudWatchAlarmAction',
      ]);
    }
  }

  private addPage(group: PageGroup, alarm: cloudwatch.IAlarm): void {
    const list = this.pages.get(group) ?? [];
    list.push(alarm);
    this.pages.set(group, list);
  }
}

/** The id of the construct directly under `root` that holds `scope`: the dashboard section. */
function sectionOf(root: Construct, scope: Construct): string {
  let top: Construct = scope;
  while (top.node.scope && top.node.scope !== root) top = top.node.scope as Construct;
  return top.node.id;
}
