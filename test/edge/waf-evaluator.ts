/**
 * A small evaluator of synthesized WAFv2 web ACLs (`AWS::WAFv2::WebACL` CloudFormation properties),
 * for the statements this library uses. It answers what WAF would do with a request, so that the
 * tests check behaviour ("a 200 KB completion passes, 9 KB elsewhere is blocked") rather than the
 * presence of an override.
 *
 * Semantics (AWS WAF developer guide, "How AWS WAF processes a web ACL", rule statements):
 * - rules run in ascending `Priority`; a matching rule with Block/Allow ends the evaluation, Count
 *   goes on; a matching rule adds its `RuleLabels`; the web ACL's `DefaultAction` applies when no
 *   rule terminates;
 * - a rule group's own rules keep their actions unless the rule's `OverrideAction` is Count (all
 *   counted) or a `RuleActionOverrides` entry replaces one rule's action; labels of counted rules
 *   are still added (which is what makes "count, then block on the label" work);
 * - `LabelMatchStatement` sees labels added by rules with a lower priority number only;
 * - `ByteMatchStatement` / `RegexMatchStatement` / `SizeConstraintStatement` on `UriPath`,
 *   `Method`, `SingleHeader` and `Body`, after their text transformations (NONE, LOWERCASE,
 *   URL_DECODE); a missing header does not match;
 * - request bodies are inspected up to the web ACL's limit (CloudFront 16 KB by default, up to
 *   64 KB with `AssociationConfig`; regional ALB 8 KB); a `Body` field over it follows its
 *   `OversizeHandling` (CONTINUE: the inspected part only; MATCH; NO_MATCH);
 * - `RateBasedStatement` (counting only): requests are counted per aggregation key (`IP`, or
 *   `FORWARDED_IP`: the first address of the configured header, with its fallback when the header
 *   is missing) and the statement matches once a key is over `Limit` within the evaluation window
 *   (the caller's requests are assumed to fall in one window).
 *
 * Managed rule groups are approximated by the one rule these tests need:
 * `AWSManagedRulesCommonRuleSet` → `SizeRestrictions_BODY` (Block when the body is over 8 KB,
 * 8,192 bytes, whatever the inspection limit; label
 * `awswaf:managed:aws:core-rule-set:SizeRestrictions_Body`). The other managed groups never match
 * the benign requests used here. Any statement the evaluator does not know throws.
 */

export interface WafRequest {
  readonly method: string;
  readonly uriPath: string;
  /** Header names in lower case. */
  readonly headers: Record<string, string>;
  readonly bodyBytes: number;
  /** The address WAF sees the request from (for a regional ACL behind CloudFront: CloudFront's). */
  readonly sourceIp: string;
}

export interface WafVerdict {
  readonly action: 'ALLOW' | 'BLOCK';
  /** The rule that terminated, or `DEFAULT`. */
  readonly rule: string;
  readonly labels: string[];
}

export const SIZE_RESTRICTIONS_BODY_LABEL = 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body';
const COMMON_RULE_SET_BODY_LIMIT = 8192;

type Cfn = Record<string, any>;

function only(o: Cfn, what: string): [string, any] {
  const keys = Object.keys(o ?? {});
  if (keys.length !== 1) throw new Error(`${what}: expected one key, got ${JSON.stringify(o)}`);
  return [keys[0], o[keys[0]]];
}

/** Evaluates requests against one synthesized web ACL; keeps rate counters between calls. */
export class WebAclEvaluator {
  private readonly rules: Cfn[];
  private readonly counters = new Map<string, number>();
  private readonly bodyInspectionLimit: number;

  /** @param webAcl the `Properties` of an `AWS::WAFv2::WebACL` resource */
  constructor(private readonly webAcl: Cfn) {
    this.rules = [...(webAcl.Rules ?? [])].sort((a, b) => a.Priority - b.Priority);
    const priorities = this.rules.map((r) => r.Priority);
    if (new Set(priorities).size !== priorities.length) throw new Error(`duplicate rule priorities: ${priorities}`);
    if (webAcl.Scope === 'CLOUDFRONT') {
      const limit = webAcl.AssociationConfig?.RequestBody?.CLOUDFRONT?.DefaultSizeInspectionLimit ?? 'KB_16';
      this.bodyInspectionLimit = Number(/^KB_(\d+)$/.exec(limit)![1]) * 1024;
    } else {
      this.bodyInspectionLimit = 8 * 1024;
    }
  }

  public evaluate(req: WafRequest): WafVerdict {
    const labels: string[] = [];
    for (const rule of this.rules) {
      const s = rule.Statement;
      if (s.ManagedRuleGroupStatement) {
        const verdict = this.managed(rule, s.ManagedRuleGroupStatement, req, labels);
        if (verdict) return verdict;
        continue;
      }
      if (!this.matches(s, req, labels)) continue;
      labels.push(...(rule.RuleLabels ?? []).map((l: Cfn) => l.Name));
      const [action] = only(rule.Action, `action of ${rule.Name}`);
      if (action === 'Block') return { action: 'BLOCK', rule: rule.Name, labels };
      if (action === 'Allow') return { action: 'ALLOW', rule: rule.Name, labels };
      if (action !== 'Count') throw new Error(`unsupported action ${action}`);
    }
    const [def] = only(this.webAcl.DefaultAction, 'DefaultAction');
    return { action: def === 'Block' ? 'BLOCK' : 'ALLOW', rule: 'DEFAULT', labels };
  }

  private managed(rule: Cfn, group: Cfn, req: WafRequest, labels: string[]): WafVerdict | undefined {
    if (group.VendorName !== 'AWS') throw new Error(`unknown vendor ${group.VendorName}`);
    if (group.ScopeDownStatement) throw new Error('scope-down statements are not modelled');
    const [override] = only(rule.OverrideAction, `override of ${rule.Name}`);
    const overrides = new Map<string, string>((group.RuleActionOverrides ?? []).map((o: Cfn) => [o.Name, only(o.ActionToUse, 'ActionToUse')[0]]));
    if (group.Name !== 'AWSManagedRulesCommonRuleSet') {
      for (const name of overrides.keys()) throw new Error(`override of ${name} in ${group.Name} is not modelled`);
      return undefined;
    }
    for (const name of overrides.keys()) {
      if (name !== 'SizeRestrictions_BODY') throw new Error(`override of ${name} is not modelled`);
    }
    if (req.bodyBytes <= COMMON_RULE_SET_BODY_LIMIT) return undefined;
    labels.push(SIZE_RESTRICTIONS_BODY_LABEL);
    const action = override === 'Count' ? 'Count' : overrides.get('SizeRestrictions_BODY') ?? 'Block';
    if (action === 'Block') return { action: 'BLOCK', rule: `${rule.Name}:SizeRestrictions_BODY`, labels };
    if (action !== 'Count') throw new Error(`unsupported override action ${action}`);
    return undefined;
  }

  private matches(s: Cfn, req: WafRequest, labels: string[]): boolean {
    const [kind, st] = only(s, 'statement');
    switch (kind) {
      case 'AndStatement': return st.Statements.every((x: Cfn) => this.matches(x, req, labels));
      case 'OrStatement': return st.Statements.some((x: Cfn) => this.matches(x, req, labels));
      case 'NotStatement': return !this.matches(st.Statement, req, labels);
      case 'LabelMatchStatement':
        if (st.Scope === 'LABEL') return labels.includes(st.Key);
        if (st.Scope === 'NAMESPACE') return labels.some((l) => l.startsWith(st.Key));
        throw new Error(`unknown label scope ${st.Scope}`);
      case 'ByteMatchStatement': {
        const value = this.field(st.FieldToMatch, req, st.TextTransformations);
        if (value === undefined) return false;
        const needle = transform(st.SearchString, st.TextTransformations);
        switch (st.PositionalConstraint) {
          case 'EXACTLY': return value === needle;
          case 'STARTS_WITH': return value.startsWith(needle);
          case 'ENDS_WITH': return value.endsWith(needle);
          case 'CONTAINS': return value.includes(needle);
          default: throw new Error(`unsupported positional constraint ${st.PositionalConstraint}`);
        }
      }
      case 'RegexMatchStatement': {
        const value = this.field(st.FieldToMatch, req, st.TextTransformations);
        return value !== undefined && new RegExp(st.RegexString).test(value);
      }
      case 'SizeConstraintStatement': {
        const size = this.size(st.FieldToMatch, req);
        if (size === 'MATCH') return true;
        if (size === 'NO_MATCH' || size === undefined) return false;
        const n = st.Size;
        switch (st.ComparisonOperator) {
          case 'EQ': return size === n;
          case 'NE': return size !== n;
          case 'LE': return size <= n;
          case 'LT': return size < n;
          case 'GE': return size >= n;
          case 'GT': return size > n;
          default: throw new Error(`unknown comparison ${st.ComparisonOperator}`);
        }
      }
      case 'RateBasedStatement': return this.rate(st, req);
      default: throw new Error(`statement ${kind} is not modelled`);
    }
  }

  private field(f: Cfn, req: WafRequest, transformations: Cfn[] | undefined): string | undefined {
    const [kind, arg] = only(f, 'FieldToMatch');
    let value: string | undefined;
    if (kind === 'UriPath') value = req.uriPath;
    else if (kind === 'Method') value = req.method;
    else if (kind === 'SingleHeader') value = req.headers[String(arg.Name).toLowerCase()];
    else throw new Error(`field ${kind} is not modelled for matching`);
    return value === undefined ? undefined : transform(value, transformations);
  }

  private size(f: Cfn, req: WafRequest): number | 'MATCH' | 'NO_MATCH' | undefined {
    const [kind, arg] = only(f, 'FieldToMatch');
    if (kind === 'Body') {
      if (req.bodyBytes <= this.bodyInspectionLimit) return req.bodyBytes;
      const handling = arg.OversizeHandling ?? 'CONTINUE';
      return handling === 'CONTINUE' ? this.bodyInspectionLimit : handling;
    }
    if (kind === 'SingleHeader') return req.headers[String(arg.Name).toLowerCase()]?.length;
    if (kind === 'UriPath') return req.uriPath.length;
    throw new Error(`field ${kind} is not modelled for sizes`);
  }

  private rate(st: Cfn, req: WafRequest): boolean {
    let key: string;
    if (st.AggregateKeyType === 'IP') {
      key = req.sourceIp;
    } else if (st.AggregateKeyType === 'FORWARDED_IP') {
      const header = req.headers[String(st.ForwardedIPConfig.HeaderName).toLowerCase()];
      const first = header?.split(',')[0].trim();
      if (!first || !/^\d{1,3}(\.\d{1,3}){3}$/.test(first)) {
        // Fallback: MATCH counts the request under one shared key, NO_MATCH skips it.
        if (st.ForwardedIPConfig.FallbackBehavior !== 'MATCH') return false;
        key = '<no forwarded address>';
      } else {
        key = first;
      }
    } else {
      throw new Error(`aggregate key ${st.AggregateKeyType} is not modelled`);
    }
    const id = `${st.AggregateKeyType}:${key}`;
    const count = (this.counters.get(id) ?? 0) + 1;
    this.counters.set(id, count);
    return count > st.Limit;
  }
}

function transform(value: string, transformations: Cfn[] | undefined): string {
  let v = value;
  for (const t of [...(transformations ?? [])].sort((a, b) => a.Priority - b.Priority)) {
    if (t.Type === 'NONE') continue;
    if (t.Type === 'LOWERCASE') v = v.toLowerCase();
    else if (t.Type === 'URL_DECODE') v = decodeURIComponent(v);
    else throw new Error(`text transformation ${t.Type} is not modelled`);
  }
  return v;
}
