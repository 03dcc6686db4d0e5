import { defineConfig } from 'vitepress';

// GitHub Pages serves the site under /<repository>/; DOCS_BASE overrides it (the browser test uses /).
const base = process.env.DOCS_BASE ?? '/cdk-proteomics-platform/';

export default defineConfig({
  title: 'cdk-proteomics-platform',
  description: 'An AWS CDK construct library for a mass-spectrometry proteomics platform: EKS, Aurora, Step Functions + Batch, S3 retention, edge and monitoring.',
  lang: 'en-US',
  base,
  cleanUrls: false,
  lastUpdated: false,
  // The construct pages link to source files in the repository (../../src/...): those are not pages.
  ignoreDeadLinks: [/^\.\.\/\.\.\//, /^\.\.\/\.\.\/\.\.\//],
  srcExclude: ['README.md', 'test-results/**', 'node_modules/**'],
  head: [
    ['meta', { name: 'theme-color', content: '#2e6fb7' }],
    ['link', { rel: 'icon', type: 'image/svg+xml', href: `${base}favicon.svg` }],
  ],
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/quick-start' },
      { text: 'Architecture', link: '/architecture' },
      { text: 'Operations', link: '/operations/' },
      { text: 'Traceability', link: '/traceability' },
    ],
    sidebar: [
      {
        text: 'Start',
        items: [
          { text: 'Overview', link: '/' },
          { text: 'Quick start', link: '/guide/quick-start' },
          { text: 'Provisioning', link: '/guide/provisioning' },
          { text: 'Uploads and their limits', link: '/guide/uploads' },
        ],
      },
      {
        text: 'Design',
        items: [
          { text: 'Architecture', link: '/architecture' },
          { text: 'Security and compliance', link: '/security' },
          { text: 'Data retention and cost', link: '/retention-and-cost' },
          { text: 'Reading a result', link: '/results' },
        ],
      },
      {
        text: 'Constructs',
        items: [
          { text: 'Overview', link: '/constructs/' },
          { text: 'RetentionBuckets', link: '/constructs/retention-buckets' },
          { text: 'AuroraDatabase', link: '/constructs/aurora-database' },
          { text: 'AnalysisPipeline', link: '/constructs/analysis-pipeline' },
          { text: 'AppCluster', link: '/constructs/app-cluster' },
          { text: 'PlatformEdge', link: '/constructs/platform-edge' },
          { text: 'PlatformMonitoring', link: '/constructs/platform-monitoring' },
          { text: 'Threat model', link: '/security/threat-model' },
          { text: 'checkov findings', link: '/security/checkov' },
        ],
      },
      {
        text: 'Operations',
        items: [
          { text: 'SLOs and alarms', link: '/operations/' },
          { text: 'Runbook', link: '/operations/runbook' },
          { text: 'Disaster recovery', link: '/operations/disaster-recovery' },
          { text: 'When the first deploy fails', link: '/operations/failed-first-deploy' },
        ],
      },
      {
        text: 'Project',
        items: [
          { text: 'Development flow', link: '/development' },
          { text: 'Traceability', link: '/traceability' },
        ],
      },
    ],
    outline: { level: [2, 3] },
    search: { provider: 'local' },
    footer: { message: 'Apache-2.0. Pictures are generated from examples/biotech-app/cdk.out.' },
  },
});
