import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// WCAG 2.2 SC 1.4.11 (non-text contrast): the focus ring and the borders of form controls need
// 3:1 against the colours next to them. Computed from the custom properties in globals.css.
const css = readFileSync(path.resolve(__dirname, '../../src/app/globals.css'), 'utf8');

function block(selector: string): string {
  const at = css.indexOf(`${selector} {`);
  if (at < 0) throw new Error(`no "${selector} {" block in globals.css`);
  return css.slice(at, css.indexOf('}', at));
}

function vars(selector: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of block(selector).matchAll(/--([a-z0-9-]+):\s*([^;]+);/g)) out[m[1]] = m[2].trim();
  return out;
}

function luminance(hex: string): number {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(m[1].slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const root = vars(':root');
const header = { ...root, ...vars('.app-header') };

describe('contrast of the focus ring and input borders (at least 3:1)', () => {
  it('computes WCAG ratios (sanity: black on white is 21:1, the old ring #ffbf47 on white fails)', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#ffbf47', '#ffffff')).toBeLessThan(3);
  });

  it.each([
    ['focus ring on the page background', root.focus, root.bg],
    ['focus ring on a card', root.focus, root.surface],
    ['focus ring on the header', header.focus, header['header-bg']],
    ['input border on a card', root['input-border'], root.surface],
    ['input border on the page background', root['input-border'], root.bg],
  ])('%s', (_name, fg, bg) => {
    const ratio = contrast(fg, bg);
    expect(ratio, `${fg} on ${bg} is ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(3);
  });

  it('the rules use those properties', () => {
    expect(block(':focus-visible')).toMatch(/outline:\s*3px solid var\(--focus\)/);
    expect(block("input[type='text'],\ntextarea")).toMatch(/border:\s*1px solid var\(--input-border\)/);
    expect(block('select')).toMatch(/border:\s*1px solid var\(--input-border\)/);
    expect(block('.app-header')).toMatch(/background:\s*var\(--header-bg\)/);
  });
});
