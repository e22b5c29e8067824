// parse-prometheus-text-format ships no types: this is the shape it documents (prom2json's).
// @ts-expect-error -- untyped module, typed below
import parsePrometheusTextFormat from 'parse-prometheus-text-format'

/** A metric family as parse-prometheus-text-format gives it: values are strings, as prom2json's. */
export interface MetricFamily {
  name: string
  help: string
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'
  metrics: Array<{labels?: Record<string, string>; value?: string}>
}

/** One sample line: `name{labels} value`. */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** A scrape, parsed: its families (names, types, help) and every sample line. */
export interface Scrape {
  families: MetricFamily[]
  samples: Sample[]
}

const parse = parsePrometheusTextFormat as (text: string) => MetricFamily[]
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/**
 * Parse Prometheus' text format with a parser that is not ours, and check what it leaves loose:
 * every family typed, names and label names well formed, every value a number. The parser folds
 * a histogram's series into one unless they have no labels, so the samples are read from a
 * second parse without the TYPE lines, where each `_bucket`, `_sum` and `_count` line is its own.
 */
export function parseMetrics(text: string): Scrape {
  const families = parse(text)
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`metric name ${JSON.stringify(family.name)} is malformed`)
    if (family.type === 'UNTYPED') throw new Error(`metric ${family.name} has no TYPE line`)
  }
  const samples = parse(text.replaceAll(/^# TYPE .*$/gm, '')).flatMap((family) =>
    family.metrics.map((metric) => {
      const value = floatOf(metric.value)
      if (value === undefined) throw new Error(`${family.name}: value ${metric.value} is not a number`)
      for (const label of Object.keys(metric.labels ?? {})) if (!LABEL_NAME.test(label)) throw new Error(`${family.name}: label name ${label} is malformed`)
      return {name: family.name, labels: metric.labels ?? {}, value}
    }),
  )
  return {families, samples}
}

/** A sample's value as Prometheus reads it (Go's ParseFloat: `+Inf`, `-Inf`, and NaN in any case). */
function floatOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (/^[+-]?inf$/i.test(text)) return text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  if (/^nan$/i.test(text)) return Number.NaN
  const value = Number(text)
  return text.trim() === '' || Number.isNaN(value) ? undefined : value
}

/** The value of the one sample of this name whose labels include these; 0 when there is none (a counter not yet counted). */
export function valueOf(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  const matching = scrape.samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
  if (matching.length > 1) throw new Error(`${matching.length} samples of ${name} match ${JSON.stringify(labels)}`)
  return matching[0]?.value ?? 0
}

/** The family of a name; fails when it is missing. */
export function family(scrape: Scrape, name: string): MetricFamily {
  const found = scrape.families.find((candidate) => candidate.name === name)
  if (found === undefined) throw new Error(`no metric ${name} among ${scrape.families.map((candidate) => candidate.name).join(', ')}`)
  return found
}
