// The steward slot of the RPC benchmark.
//
// Not filled yet: the steward RPC client and server (src/rpc/client.ts, src/rpc/server.ts) have not
// landed. To fill it, once they have:
//   - servers/steward.ts: an RpcServer bound to --endpoint (tcp://127.0.0.1:0 or ipc://…) with a
//     LocalDispatcher holding one endpoint {topic: 'bench', server: 'bench-server'} whose
//     dispatch answers `echo` with answer(args, casts) (common.ts), counts casts, and answers
//     `count`; with --ack it also acknowledges every cast on the PUSH channel as servers/zmq.ts does;
//     then printReady({endpoint: server.endpoint}).
//   - connectSteward below: a steward RPC client reaching that endpoint; call → prepare({topic:
//     'bench', server: 'bench-server'}).call(ctx, 'echo', payload), cast → .cast(ctx, 'echo', payload).
//   - stewardUnavailable: undefined.
// The systems (`steward`, `steward-ipc`, `steward-cast`), the measurement, the table and the
// targets are all in place and need no change.
import type {BenchClient, FanoutClient, ReadyInfo} from '../common.js'

/** Why steward cannot be measured in this tree; undefined once it can. */
export const stewardUnavailable: string | undefined = 'the steward RPC client and server (src/rpc/client.ts, src/rpc/server.ts) have not landed yet'

export function connectSteward(_ready: ReadyInfo): Promise<BenchClient> {
  return Promise.reject(new Error(`steward cannot be benchmarked: ${stewardUnavailable}`))
}

/** A fan-out cast to every host of the `bench` topic; see fanout.ts. */
export function connectStewardFanout(_endpoints: readonly string[]): Promise<FanoutClient> {
  return Promise.reject(new Error(`steward cannot be benchmarked: ${stewardUnavailable}`))
}
