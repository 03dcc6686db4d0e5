import { PriceTable } from './price-table';

/**
 * How to price a template: the region whose prices apply, the table, and the assumptions about
 * usage that a template cannot tell (users, stored data, log volume).
 */
export interface CostEstimateOptions {
  /**
   * The region whose list prices apply. Any region the table has, whatever region the template
   * was synthesized for (e.g. price a sa-east-1 stack at us-east-1 prices to compare).
   * @default 'us-east-1'
   */
  readonly region?: string;
  /**
   * The price table.
   * @default PriceTable.DEFAULT
   */
  readonly priceTable?: PriceTable;
  /**
   * Monthly active users of each Cognito user pool on the Plus plan (an assumption: the
   * template cannot know it).
   * @default 100
   */
  readonly activeUsers?: number;
  /**
   * Stored data of each Aurora cluster, GB (an assumption).
   * @default 10
   */
  readonly databaseStorageGb?: number;
  /**
   * Log ingestion per month of each log group the template creates (except flow logs), GB.
   * @default 0.5
   */
  readonly logGroupIngestionGb?: number;
  /**
   * Log ingestion per month of each VPC flow log, GB.
   * @default 3
   */
  readonly flowLogIngestionGb?: number;
  /**
   * Log ingestion per month of each enabled EKS control-plane log type, GB (the log group is
   * created by EKS, outside the template).
   * @default 1
   */
  readonly controlPlaneLogIngestionGbPerType?: number;
}

/** One line of an estimate. */
export interface CostLineItem {
  /** What is priced, e.g. `NAT gateways`. */
  readonly name: string;
  /** How many of it the template creates (gateways, endpoint-AZs, nodes, keys, GB, ...). */
  readonly quantity: number;
  /** The unit of `quantity`. */
  readonly unit: string;
  /** Estimated monthly cost in USD (not rounded). */
  readonly monthlyUsd: number;
  /** How it was computed: counts, prices and assumptions. */
  readonly detail: string;
  /** The price-table items used. */
  readonly priceItems: string[];
  /** Whether every price used is verified in the table. */
  readonly verified: boolean;
  /** Whether it rests on a usage assumption (users, stored data, log volume) rather than on the template alone. */
  readonly assumed: boolean;
}

/** The estimated fixed monthly cost of one template. */
export interface CostEstimate {
  /** The region whose prices were used. */
  readonly region: string;
  /** The sum of the line items, USD per month (not rounded). */
  readonly monthlyUsd: number;
  /** One line per kind of resource that costs money while idle. */
  readonly lineItems: CostLineItem[];
  /** The newest `readOn` date of the prices used. */
  readonly pricesReadOn: string;
  /** What the estimate leaves out, and anything in the template it could not read. */
  readonly notes: string[];
}
