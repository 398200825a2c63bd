// A strict reader of Prometheus' text exposition format 0.0.4, as a scraper sees /metrics: every
// family has HELP and TYPE before its samples, names and labels are well formed, no series
// appears twice, counters end in _total, and a histogram's buckets are cumulative up to +Inf,
// which equals its _count.
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\])*")(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\])*")*)\})? (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|[+-]Inf)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"/g;

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

export function parsePrometheus(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | null = null;
  let pendingHelp: { name: string; help: string } | null = null;
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ')) {
      const [, , name = '', ...help] = line.split(' ');
      if (!NAME.test(name)) throw new Error(`bad metric name in HELP: ${line}`);
      pendingHelp = { name, help: help.join(' ') };
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [, , name = '', type = ''] = line.split(' ');
      if (pendingHelp?.name !== name) throw new Error(`TYPE of ${name} without its HELP just before`);
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type)) throw new Error(`unknown type: ${line}`);
      if (families.has(name)) throw new Error(`${name} is declared twice`);
      if (type === 'counter' && !name.endsWith('_total')) throw new Error(`counter ${name} should end in _total`);
      current = { name, type: type as Family['type'], help: pendingHelp.help, samples: [] };
      families.set(name, current);
      pendingHelp = null;
      continue;
    }
    if (line.startsWith('#') || line === '') throw new Error(`unexpected line: ${JSON.stringify(line)}`);
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`not a sample line: ${line}`);
    const [, name = '', labelText = '', value = ''] = m;
    const base = current?.type === 'histogram' ? name.replace(/_(bucket|sum|count)$/, '') : name;
    if (current === null || current.name !== base) throw new Error(`${name} has no HELP and TYPE just before its samples`);
    if (seen.has(`${name}{${labelText}}`)) throw new Error(`duplicate series ${name}{${labelText}}`);
    seen.add(`${name}{${labelText}}`);
    const labels = Object.fromEntries([...labelText.matchAll(LABEL)].map((l) => [l[1] ?? '', l[2] ?? '']));
    current.samples.push({ name, labels, value: Number(value) });
  }
  for (const f of families.values()) {
    if (f.samples.length === 0) throw new Error(`${f.name} has no samples`);
    if (f.type === 'counter' && f.samples.some((s) => s.value < 0 || Number.isNaN(s.value))) throw new Error(`counter ${f.name} has a negative value`);
    if (f.type === 'histogram') checkHistogram(f);
  }
  return families;
}

function checkHistogram(f: Family): void {
  const series = new Map<string, Family['samples']>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name.endsWith('_bucket'));
    const count = samples.find((s) => s.name.endsWith('_count'));
    if (!samples.some((s) => s.name.endsWith('_sum')) || count === undefined) throw new Error(`${f.name}${key} lacks _sum or _count`);
    const inf = buckets.find((b) => b.labels.le === '+Inf');
    if (inf === undefined || inf.value !== count.value) throw new Error(`${f.name}${key}: the +Inf bucket must equal _count`);
    const ordered = buckets.map((b) => ({ le: b.labels.le === '+Inf' ? Infinity : Number(b.labels.le), value: b.value }));
    for (let i = 1; i < ordered.length; i++) {
      const [a, b] = [ordered[i - 1], ordered[i]];
      if (a === undefined || b === undefined || !(a.le < b.le) || a.value > b.value) throw new Error(`${f.name}${key}: buckets must be in order of le and cumulative`);
    }
  }
}

/** One sample's value by name and labels, or undefined. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.keys(labels).length === Object.keys(s.labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
