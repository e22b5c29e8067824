import {cleanup, render} from 'ink-testing-library'
import {afterEach, describe, expect, test} from 'vitest'
import {service, telemetry} from '../../../test/helpers/monitor-model.js'
import {ServiceDetail} from './ServiceDetail.js'

afterEach(() => cleanup())

describe('ServiceDetail, slow traces', () => {
  test('lists the slowest recent calls the host traced, with the command that shows each', () => {
    const at = Date.now()
    const traced = service('node2@fast', 'share', {
      telemetry: telemetry('node2@fast', 'share', {
        slowTraces: [
          {traceId: '4bf92f3577b34da6a3ce929d0e0e4736', name: 'share/createShare', durationMs: 1250, at, error: false},
          {traceId: '0af7651916cd43dd8448eb211c80319c', name: 'share/extendShare', durationMs: 40.5, at, error: true},
        ],
      }),
    })
    const frame = render(<ServiceDetail service={traced} width={160} height={40} />).lastFrame()!
    expect(frame).toMatch(/Slow traces +1\.25s share\/createShare · \d\d:\d\d:\d\d · steward trace show 4bf92f3577b34da6a3ce929d0e0e4736/)
    expect(frame).toMatch(/ +40\.5ms share\/extendShare · \d\d:\d\d:\d\d · error · steward trace show 0af7651916cd43dd8448eb211c80319c/)
  })

  test('says when none was slow lately, and shows nothing of traces from a host without the profiler', () => {
    const quiet = service('node1', 'scheduler', {telemetry: telemetry('node1', 'scheduler', {slowTraces: []})})
    expect(render(<ServiceDetail service={quiet} width={120} height={40} />).lastFrame()).toMatch(/Slow traces +none in the last 10 minutes/)
    cleanup()
    const untraced = service('node1', 'scheduler')
    expect(render(<ServiceDetail service={untraced} width={120} height={40} />).lastFrame()).not.toContain('Slow traces')
  })
})
