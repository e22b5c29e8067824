import {Registry} from 'prom-client'
import {describe, expect, it} from 'vitest'
import {parseMetrics, valueOf} from '../../test/helpers/prometheus-text.js'
import {LatencyBuckets} from './latency-buckets.js'
import {PrecountedHistogram} from './precounted-histogram.js'

describe('LatencyBuckets', () => {
  it('puts an observation in the first bucket whose bound is not below it, the rest in +Inf, weighted', () => {
    const buckets = new LatencyBuckets([0.001, 0.01])
    buckets.observe(0.001)
    buckets.observe(0.005, 16)
    buckets.observe(3)
    expect([...buckets.counts]).toEqual([1, 16, 1])
    expect(buckets.count).toBe(18)
    expect(buckets.sumSeconds).toBeCloseTo(0.001 + 0.08 + 3, 12)
  })
})

describe('PrecountedHistogram', () => {
  it('is written by a prom-client registry as a cumulative histogram with _sum and _count, with the registry\'s default labels', async () => {
    const buckets = new LatencyBuckets([0.001, 0.01])
    buckets.observe(0.0005)
    buckets.observe(0.002)
    buckets.observe(0.002)
    const registry = new Registry()
    registry.setDefaultLabels({host: 'node1'})
    new PrecountedHistogram('demo_duration_seconds', 'A demo.', () => [{labels: {topic: 'probe'}, buckets}]).register(registry)
    const text = await registry.metrics()
    expect(text).toContain('# TYPE demo_duration_seconds histogram')
    const scrape = parseMetrics(text)
    const labels = {host: 'node1', topic: 'probe'}
    expect(valueOf(scrape, 'demo_duration_seconds_bucket', {...labels, le: '0.001'})).toBe(1)
    expect(valueOf(scrape, 'demo_duration_seconds_bucket', {...labels, le: '0.01'})).toBe(3)
    expect(valueOf(scrape, 'demo_duration_seconds_bucket', {...labels, le: '+Inf'})).toBe(3)
    expect(valueOf(scrape, 'demo_duration_seconds_count', labels)).toBe(3)
    expect(valueOf(scrape, 'demo_duration_seconds_sum', labels)).toBeCloseTo(0.0045, 12)
    const [json] = await registry.getMetricsAsJSON()
    expect(json).toMatchObject({name: 'demo_duration_seconds', type: 'histogram'})
  })

  it('writes the family without series when there is nothing to read', async () => {
    const registry = new Registry()
    new PrecountedHistogram('empty_seconds', 'Nothing yet.', () => []).register(registry)
    expect(parseMetrics(await registry.metrics()).samples).toEqual([])
  })
})
