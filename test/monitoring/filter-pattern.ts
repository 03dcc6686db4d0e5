/**
 * An evaluator of the CloudWatch Logs filter-pattern syntax this project uses in metric filters
 * (CloudWatch Logs User Guide, "Filter pattern syntax for metric filters, subscription filters,
 * filter log events and Live Tail"), so tests can run real log lines through a synthesized pattern:
 *
 * - unstructured term patterns: `ERROR` (the term must appear), `ERROR Exception` (all terms),
 *   `?ERROR ?WARN` (any term), `-DEBUG` (must not appear), `"a phrase"` (exact phrase). Terms are
 *   case sensitive and match where they appear in the message (`ERROR` matches `[ERROR] …`, never
 *   `error: …`);
 * - JSON patterns: `{ $.a.b = "x" }`, `!=`, numeric `= != < > <= >=`, `*` as a wildcard inside a
 *   string value, `&&`, `||` and parentheses. Only a message that is a JSON object can match, and a
 *   selector whose field is missing never matches. String comparison is case sensitive.
 *
 * It refuses (throws) on anything else (space-delimited `[...]` and `%regex%` patterns, `IS`,
 * `EXISTS`), so a pattern cannot pass here by using syntax it does not implement.
 */

/** True when `pattern` matches the log event `message`. */
export function filterMatches(pattern: string, message: string): boolean {
  const p = pattern.trim();
  if (p === '') return true;
  if (p.startsWith('{')) return jsonMatches(p, message);
  if (p.startsWith('[') || p.startsWith('%')) throw new Error(`filter-pattern evaluator refuses ${p}: not implemented`);
  return termsMatch(p, message);
}

function termsMatch(pattern: string, message: string): boolean {
  const tokens = pattern.match(/[?-]?"[^"]*"|\S+/g) ?? [];
  const terms = tokens.map((t) => {
    const prefix = t[0] === '?' || t[0] === '-' ? t[0] : '';
    const body = prefix ? t.slice(1) : t;
    return { prefix, text: body.startsWith('"') ? body.slice(1, -1) : body };
  });
  const optional = terms.filter((t) => t.prefix === '?');
  if (optional.length > 0) {
    if (optional.length !== terms.length) throw new Error(`filter-pattern evaluator refuses ${pattern}: mixes ?terms with others`);
    return optional.some((t) => message.includes(t.text));
  }
  return terms.every((t) => (t.prefix === '-' ? !message.includes(t.text) : message.includes(t.text)));
}

type Token = { kind: 'op' | 'sel' | 'str' | 'num' | 'paren' | 'bool'; text: string };

function tokenize(body: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(\(|\))|(&&|\|\|)|(!=|<=|>=|=|<|>)|(\$[A-Za-z0-9_.[\]]*)|"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?)|(\S+))/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < body.length && (m = re.exec(body))) {
    if (m[1]) out.push({ kind: 'paren', text: m[1] });
    else if (m[2]) out.push({ kind: 'bool', text: m[2] });
    else if (m[3]) out.push({ kind: 'op', text: m[3] });
    else if (m[4]) out.push({ kind: 'sel', text: m[4] });
    else if (m[5] !== undefined) out.push({ kind: 'str', text: m[5] });
    else if (m[6]) out.push({ kind: 'num', text: m[6] });
    else if (m[7] && m[7].trim()) throw new Error(`filter-pattern evaluator refuses '${m[7]}' in { ${body} }: not implemented`);
  }
  return out;
}

function select(doc: any, selector: string): any {
  let v = doc;
  for (const part of selector.slice(2).split(/\.|\[(\d+)\]/).filter((x) => x !== undefined && x !== '')) {
    if (v === null || typeof v !== 'object' || !(part in v)) return undefined;
    v = v[part];
  }
  return v;
}

function compare(value: any, op: string, token: Token): boolean {
  if (value === undefined) return false;
  if (token.kind === 'str') {
    if (typeof value !== 'string' || !['=', '!='].includes(op)) return false;
    const re = new RegExp(`^${token.text.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return op === '=' ? re.test(value) : !re.test(value);
  }
  if (typeof value !== 'number') return false;
  const n = Number(token.text);
  switch (op) {
    case '=': return value === n;
    case '!=': return value !== n;
    case '<': return value < n;
    case '>': return value > n;
    case '<=': return value <= n;
    case '>=': return value >= n;
    default: throw new Error(`operator ${op}`);
  }
}

function jsonMatches(pattern: string, message: string): boolean {
  if (!pattern.endsWith('}')) throw new Error(`unbalanced JSON pattern ${pattern}`);
  const tokens = tokenize(pattern.slice(1, -1));
  let doc: any;
  try {
    doc = JSON.parse(message);
  } catch {
    return false;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return false;
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const primary = (): boolean => {
    const t = next();
    if (!t) throw new Error(`unexpected end of ${pattern}`);
    if (t.kind === 'paren' && t.text === '(') {
      const v = orExpr();
      if (next()?.text !== ')') throw new Error(`missing ) in ${pattern}`);
      return v;
    }
    if (t.kind !== 'sel') throw new Error(`expected a selector, got '${t.text}' in ${pattern}`);
    const op = next();
    const value = next();
    if (op?.kind !== 'op' || !value || !['str', 'num'].includes(value.kind)) throw new Error(`expected '<op> <value>' after ${t.text} in ${pattern}`);
    return compare(select(doc, t.text), op.text, value);
  };
  const andExpr = (): boolean => {
    let v = primary();
    while (peek()?.text === '&&') { next(); const r = primary(); v = v && r; }
    return v;
  };
  const orExpr = (): boolean => {
    let v = andExpr();
    while (peek()?.text === '||') { next(); const r = andExpr(); v = v || r; }
    return v;
  };
  const result = orExpr();
  if (i !== tokens.length) throw new Error(`trailing '${tokens[i].text}' in ${pattern}`);
  return result;
}
