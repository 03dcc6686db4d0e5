/**
 * The metric filters, run on real log lines with an evaluator of CloudWatch's filter-pattern
 * syntax (case-sensitive terms, JSON patterns only on JSON lines): the worker's error filter
 * against the lines the worker writes, and the failed-analysis filter against the completion
 * event of the contract.
 */
import * as fs from 'fs';
import * as path from 'path';
import { aws_logs as logs } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { filterMatches } from './filter-pattern';
import { buildParts, everyPart } from './fixture';
import { PlatformMonitoring, PlatformStage } from '../../src';
import { newStack } from '../helpers';

const REPO = path.join(__dirname, '..', '..');
const read = (p: string) => fs.readFileSync(path.join(REPO, p), 'utf8');

/** Real lines the worker writes, kept in step with the worker by its own test (worker/tests/test_logs.py). */
function workerLogLines(): string[] {
  return read('contracts/examples/worker-log-lines.example.jsonl').split('\n').filter((l) => l.trim() !== '');
}

/** The plain-text error line the worker wrote before it logged JSON (cli.py printed `error: <CODE>: <message>`). */
const RETIRED_ERROR_LINE = 'error: TRUNCATED: file ends in the middle of a spectrum';

/** Lines in the agreed worker log format, one per level. */
function agreedLines(level: string, extra: Record<string, string> = {}): string {
  return JSON.stringify({ level, event: 'file_failed', code: 'TRUNCATED', fileId: 'f1', analysisId: 'a1', message: 'file ends mid-spectrum', ...extra });
}

/** A completion event as the EventBridge → CloudWatch Logs target writes it. */
function eventLine(detail: any): string {
  return JSON.stringify({
    'version': '0',
    'id': 'e1',
    'detail-type': 'Analysis Completed',
    'source': 'cdk-proteomics-platform',
    'account': '123456789012',
    'time': '2026-03-01T10:00:00Z',
    'region': 'eu-west-1',
    'resources': ['arn:aws:states:eu-west-1:123456789012:stateMachine:sm'],
    detail,
  });
}

describe('the filter-pattern evaluator follows CloudWatch semantics', () => {
  test.each([
    ['ERROR', '[ERROR] A fatal exception has occurred', true],
    ['ERROR', '[error] a fatal exception has occurred', false], // case sensitive
    ['ERROR Exception', 'ERROR: Exception in thread', true],
    ['ERROR Exception', 'ERROR: timeout', false],
    ['?ERROR ?WARN', '[WARN] slow', true],
    ['?ERROR ?WARN', '[INFO] fine', false],
    ['ERROR -Retry', 'ERROR: Retry 2', false],
    ['"Failed to process"', 'Failed to process the request', true],
    ['{ $.level = "ERROR" }', '{"level":"ERROR"}', true],
    ['{ $.level = "ERROR" }', '{"level":"error"}', false],
    ['{ $.level = "ERROR" }', 'level = ERROR (not JSON)', false],
    ['{ $.a.b = "x*" }', '{"a":{"b":"xyz"}}', true],
    ['{ $.n >= 0 }', '{"n":0}', true],
    ['{ $.n >= 0 }', '{"m":1}', false], // a missing field never matches
    ['{ ($.a = 1) && ($.b = "x" || $.c = 2) }', '{"a":1,"c":2}', true],
  ])('%s on %s: %s', (pattern, line, expected) => {
    expect(filterMatches(pattern, line)).toBe(expected);
  });

  test('refuses syntax it does not implement', () => {
    expect(() => filterMatches('[ip, user]', 'x')).toThrow(/not implemented/);
    expect(() => filterMatches('{ $.a IS TRUE }', '{"a":true}')).toThrow(/refuses|expected/);
  });
});

describe('the worker error filter', () => {
  const stack = newStack({ env: true });
  new PlatformMonitoring(stack, 'Monitoring', everyPart(buildParts(stack, PlatformStage.PROD), PlatformStage.PROD));
  const filters = Object.values(Template.fromStack(stack).findResources('AWS::Logs::MetricFilter')) as any[];
  const patternOf = (metricName: string): string => {
    const found = filters.filter((f) => f.Properties.MetricTransformations[0].MetricName === metricName);
    expect(found).toHaveLength(1);
    return found[0].Properties.FilterPattern;
  };

  test('the previous default (terms ERROR, CRITICAL, Traceback) missed the worker\'s error lines', () => {
    const previous = logs.FilterPattern.anyTerm('ERROR', 'CRITICAL', 'Traceback').logPatternString;
    expect(previous).toBe('?"ERROR" ?"CRITICAL" ?"Traceback"');
    // Terms are case sensitive: `error:` is not `ERROR`, so no worker error was ever counted.
    expect(filterMatches(previous, RETIRED_ERROR_LINE)).toBe(false);
  });

  test('the synthesized filter counts exactly the ERROR and CRITICAL lines the worker really writes', () => {
    const pattern = patternOf('WorkerErrors');
    const lines = workerLogLines();
    const errors = lines.filter((l) => ['ERROR', 'CRITICAL'].includes(JSON.parse(l).level));
    expect(errors.length).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThan(errors.length);
    expect(lines.filter((l) => filterMatches(pattern, l))).toEqual(errors);
  });

  test('the synthesized filter counts exactly the ERROR and CRITICAL lines of the agreed JSON format', () => {
    const pattern = patternOf('WorkerErrors');
    expect(pattern).toBe('{ $.level = "ERROR" || $.level = "CRITICAL" }');
    const counted = [agreedLines('ERROR'), agreedLines('CRITICAL', { event: 'worker_crashed', code: 'INTERNAL' })];
    const notCounted = [
      agreedLines('DEBUG'), agreedLines('INFO', { event: 'file_done', message: 'recovered from a transient ERROR' }),
      agreedLines('WARNING', { event: 'retry', code: 'DOWNLOAD_FAILED' }),
      agreedLines('error'), // the level is upper case by contract; CloudWatch compares case sensitively
      'Traceback (most recent call last):', // plain text is not the contract
    ];
    expect(counted.filter((l) => !filterMatches(pattern, l))).toEqual([]);
    expect(notCounted.filter((l) => filterMatches(pattern, l))).toEqual([]);
  });

  test('an analysis whose files all failed is counted from its completion event (contract example, status FAILED)', () => {
    const pattern = patternOf('AnalysesFailed');
    for (const file of ['completion-event.example.json', 'completion-event.v2.example.json']) {
      const example = JSON.parse(read(`contracts/examples/${file}`));
      expect(filterMatches(pattern, eventLine({ ...example, status: 'FAILED', filesSucceeded: 0 }))).toBe(true);
      expect(filterMatches(pattern, eventLine(example))).toBe(false); // PARTIAL
      expect(filterMatches(pattern, eventLine({ ...example, status: 'SUCCEEDED', filesFailed: 0 }))).toBe(false);
    }
  });
});
