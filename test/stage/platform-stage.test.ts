import { aws_logs as logs } from 'aws-cdk-lib';
import { PlatformStage, ResultsLockMode } from '../../src';

describe('PlatformStage', () => {
  test('HML is cheap and disposable', () => {
    const s = PlatformStage.HML;
    expect([s.name, s.production, s.maxAzs, s.natGateways, s.interfaceEndpoints]).toEqual(['hml', false, 2, 1, false]);
    expect([s.databaseMinCapacity, s.databaseReader, s.deletionProtection, s.databaseBackupRetentionDays]).toEqual([0, false, false, 7]);
    expect(s.resultsLockMode).toBe(ResultsLockMode.NONE);
    expect(s.onDemandEscalation).toBe(false);
    expect(s.allowDestroy).toBe(true);
    expect(s.logRetention).toBe(logs.RetentionDays.ONE_MONTH);
  });

  test('PROD is highly available and retained', () => {
    const s = PlatformStage.PROD;
    expect([s.name, s.production, s.maxAzs, s.natGateways, s.interfaceEndpoints]).toEqual(['prod', true, 3, 3, false]);
    expect(s.databaseMinCapacity).toBeGreaterThanOrEqual(0.5);
    expect([s.databaseReader, s.deletionProtection, s.databaseBackupRetentionDays, s.longTermDatabaseBackups]).toEqual([true, true, 35, true]);
    expect(s.resultsLockMode).toBe(ResultsLockMode.GOVERNANCE);
    expect(s.onDemandEscalation).toBe(true);
    expect(s.allowDestroy).toBe(false);
  });

  test('of() starts from HML and applies overrides', () => {
    const qa = PlatformStage.of('qa', { maxAzs: 3 });
    expect([qa.name, qa.maxAzs, qa.natGateways, qa.production]).toEqual(['qa', 3, 1, false]);
  });

  test('of() can start from PROD', () => {
    const dr = PlatformStage.of('dr', { basedOn: PlatformStage.PROD, natGateways: 1 });
    expect([dr.production, dr.natGateways, dr.resultsLockMode]).toEqual([true, 1, ResultsLockMode.GOVERNANCE]);
  });

  test('of() rejects a bad name and says what a good one looks like', () => {
    expect(() => PlatformStage.of('Prod Stage')).toThrow(/stage name must be 1-16 lowercase letters.*e\.g\. 'qa'/);
  });
});
