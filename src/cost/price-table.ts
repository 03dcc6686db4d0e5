import { PRICE_RECORDS, PriceRecord } from './price-data';

/**
 * One list price of the price table, for one region.
 */
export interface PriceEntry {
  /** The line item it prices, e.g. `NatGateway` or `Ec2Instance:c6a.large`. */
  readonly item: string;
  /** The region the price applies to, e.g. `us-east-1`. */
  readonly region: string;
  /** The price in USD per `unit`. */
  readonly usd: number;
  /** What one unit is (`hour`, `month`, `GB`, `ACU-hour`, ...). */
  readonly unit: string;
  /** What is priced. */
  readonly description: string;
  /** The AWS pricing page (or the page transcribing it) the price was read from. */
  readonly source: string;
  /** The date the price was read (YYYY-MM-DD). */
  readonly readOn: string;
  /**
   * Whether the price was confirmed, for this region, on `source` on `readOn`. `false` marks an
   * unverified figure: the best known to the authors, still to be checked against the AWS page.
   */
  readonly verified: boolean;
}

/**
 * A dated, region-aware table of AWS list prices, kept in this repository (no live price API is
 * used). `PriceTable.DEFAULT` has us-east-1 and sa-east-1; `PriceTable.fromEntries()` makes your
 * own (other regions, negotiated prices).
 *
 * @example
 * const nat = PriceTable.DEFAULT.price('NatGateway', 'us-east-1'); // { usd: 0.045, unit: 'hour', ... }
 */
export class PriceTable {
  /** The table kept in this repository: us-east-1 and sa-east-1 list prices. */
  public static readonly DEFAULT = new PriceTable(flatten(PRICE_RECORDS));

  /**
   * A table of your own, e.g. for another region. Each item needs every price the estimator
   * uses for the resources of your template; a missing one is an error naming it.
   */
  public static fromEntries(entries: PriceEntry[]): PriceTable {
    return new PriceTable(entries);
  }

  /** Every entry of the table. */
  public readonly entries: PriceEntry[];

  private constructor(entries: PriceEntry[]) {
    this.entries = [...entries];
  }

  /** The regions the table has prices for. */
  public get regions(): string[] {
    return [...new Set(this.entries.map((e) => e.region))].sort();
  }

  /** Whether the table has a price for `item` in `region`. */
  public has(item: string, region: string): boolean {
    return this.entries.some((e) => e.item === item && e.region === region);
  }

  /**
   * The price of `item` in `region`.
   * @throws when the table has no such price, naming the item, the region and the regions it has
   */
  public price(item: string, region: string): PriceEntry {
    const entry = this.entries.find((e) => e.item === item && e.region === region);
    if (!entry) {
      const regions = this.entries.filter((e) => e.item === item).map((e) => e.region);
      throw new Error(
        `PriceTable: no price for '${item}' in region '${region}'` +
          (regions.length > 0 ? ` (it has ${regions.join(', ')})` : ' (the item is unknown)') +
          ': price in one of the table\'s regions, or add the entry with PriceTable.fromEntries().',
      );
    }
    return entry;
  }
}

function flatten(records: PriceRecord[]): PriceEntry[] {
  return records.flatMap((r) => Object.entries(r.prices).map(([region, p]) => ({
    item: r.item,
    region,
    usd: p.usd,
    unit: r.unit,
    description: r.description,
    source: p.source ?? r.source,
    readOn: r.readOn,
    verified: p.verified,
  })));
}
