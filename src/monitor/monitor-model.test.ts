import {describe, expect, it} from 'vitest'
import type {HostRecord, ServiceRecord} from '../store/types.js'
import {buildMonitorModel, type ReceivedSnapshot} from './monitor-model.js'
import {telemetry} from '../../test/helpers/monitor-model.js'
import type {HostSnapshot, ServiceTelemetry} from './telemetry.js'

const withCalls = (host: string, topic: string, calls: number): ServiceTelemetry => telemetry(host, topic, {rpc: {...telemetry(host, topic).rpc, calls}})

const now = new Date('2030-01-01T00:10:00.000Z')
const ago = (seconds: number): string => new Date(now.getTime() - seconds * 1000).toISOString()

function hostRecord(name: string, patch: Partial<HostRecord> = {}): HostRecord {
  return {name, endpoint: `ipc:///state/rpc/${name}.sock`, feedEndpoint: `ipc:///state/rpc/${name}.feed.sock`, publicKey: null, pid: 100, version: '0.1.0', startedAt: ago(600), updatedAt: ago(2), stoppedAt: null, ...patch}
}

let nextId = 1
function serviceRecord(host: string, topic: string, patch: Partial<ServiceRecord> = {}): ServiceRecord {
  return {id: nextId++, host, binary: `steward-${topic}`, topic, zone: 'nova', disabled: false, disabledReason: null, reportCount: 9, createdAt: ago(600), updatedAt: ago(3), stoppedAt: null, ...patch}
}

function snapshot(host: string, services: ServiceTelemetry[], receivedSecondsAgo = 0.5): ReceivedSnapshot {
  const value: HostSnapshot = {at: ago(receivedSecondsAgo), host: {name: host, pid: 100, endpoint: `ipc:///state/rpc/${host}.sock`, uptimeSeconds: 600, rssBytes: 1, heapUsedBytes: 1, cpuPercent: 1}, services}
  return {snapshot: value, receivedAt: now.getTime() - receivedSecondsAgo * 1000}
}

const base = {now, downTimeSeconds: 60, staleAfterMs: 3500, logs: []}

describe('buildMonitorModel', () => {
  it('joins each service with its process host\'s snapshot, backends included', () => {
    const model = buildMonitorModel({
      ...base,
      hosts: [hostRecord('B'), hostRecord('A')],
      services: [serviceRecord('B', 'probe'), serviceRecord('A@fast', 'share'), serviceRecord('A', 'probe')],
      snapshots: new Map([['A', snapshot('A', [withCalls('A', 'probe', 5), withCalls('A@fast', 'share', 7)])]]),
    })
    expect(model.at).toBe(now.toISOString())
    expect(model.hosts.map((host) => [host.record.name, host.state, host.telemetry?.pid ?? null])).toEqual([
      ['A', 'up', 100],
      ['B', 'up', null],
    ])
    // Grouped by host, then binary; B sent nothing, so its service has no telemetry.
    expect(model.services.map((service) => [service.host, service.binary, service.telemetry?.rpc.calls ?? null])).toEqual([
      ['A', 'steward-probe', 5],
      ['A@fast', 'steward-share', 7],
      ['B', 'steward-probe', null],
    ])
    expect(model.services[0]).toMatchObject({status: 'enabled', state: 'up', heartbeatAgeSeconds: 3, reportCount: 9})
  })

  it('shows no telemetry from a stale snapshot or a stopped host, and no age before a heartbeat', () => {
    const model = buildMonitorModel({
      ...base,
      hosts: [hostRecord('A'), hostRecord('B', {stoppedAt: ago(1)}), hostRecord('C', {updatedAt: ago(120)})],
      services: [serviceRecord('A', 'probe', {updatedAt: null, createdAt: ago(5)}), serviceRecord('B', 'probe', {stoppedAt: ago(1)}), serviceRecord('C', 'probe', {updatedAt: ago(120), disabled: true, disabledReason: 'disk'})],
      snapshots: new Map([
        ['A', snapshot('A', [withCalls('A', 'probe', 1)], 4)],
        ['B', snapshot('B', [withCalls('B', 'probe', 2)])],
        ['C', snapshot('C', [withCalls('C', 'probe', 3)])],
      ]),
    })
    expect(model.hosts.map((host) => [host.record.name, host.state, host.telemetry === null])).toEqual([
      ['A', 'up', true],
      ['B', 'stopped', true],
      ['C', 'down', false],
    ])
    expect(model.services.map((service) => [service.host, service.state, service.status, service.heartbeatAgeSeconds, service.telemetry?.rpc.calls ?? null])).toEqual([
      ['A', 'up', 'enabled', null, null],
      ['B', 'stopped', 'enabled', 3, null],
      // A down host still sending is shown: the store says down, the feed says what it does.
      ['C', 'down', 'disabled', 120, 3],
    ])
  })

  it('ignores a snapshot\'s services of another process host', () => {
    const model = buildMonitorModel({
      ...base,
      hosts: [hostRecord('A')],
      services: [serviceRecord('B', 'probe')],
      snapshots: new Map([['A', snapshot('A', [withCalls('B', 'probe', 1)])]]),
    })
    expect(model.services[0]!.telemetry).toBeNull()
  })
})
