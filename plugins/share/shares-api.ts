import {HttpError, type ApiContext, type ApiMethod, type ApiRequest, type ApiRoute, type ApiRouteSet} from 'steward'
import {createShare, deleteShare, getShare, listPools, listShares, resizeShare, shareAction} from './share-requests.js'
import {shareErrorStatus, type ShareErrorCode} from './share-types.js'

/**
 * The shares API (Manila's /v2/shares and /v2/scheduler-stats/pools), mounted on the API service
 * by naming `shares-api` in `api_pipeline`. Handlers only check the request and call the
 * scheduler or the share service holding the share; the services do the work (docs/share.md).
 */
export const sharesApi: ApiRouteSet = {
  prefix: '/v2',
  routes: [
    shareRoute('POST', '/shares', async (request, context) => ({share: await createShare(context, request.body)}), 202),
    shareRoute('GET', '/shares', async (_request, context) => ({shares: await listShares(context)})),
    shareRoute('GET', '/shares/:id', async (request, context) => ({share: await getShare(context, idOf(request))})),
    shareRoute('DELETE', '/shares/:id', async (request, context) => ({share: await deleteShare(context, idOf(request))})),
    shareRoute('POST', '/shares/:id/action', async (request, context) => {
      const {action, newSize} = shareAction(request.body)
      return {share: await resizeShare(context, idOf(request), action, newSize)}
    }),
    shareRoute('GET', '/scheduler-stats/pools', async (_request, context) => ({pools: await listPools(context)})),
  ],
  example: {method: 'POST', path: '/shares', body: {size: 1, name: 'demo'}},
}

/** A route whose share errors, local or from a service, answer with their status and code. */
function shareRoute(method: ApiMethod, path: string, handler: (request: ApiRequest, context: ApiContext) => Promise<unknown>, status = 200): ApiRoute {
  return {
    method,
    path,
    status,
    handler: async (request, context) => {
      try {
        return await handler(request, context)
      } catch (error) {
        const code = (error as {code?: unknown}).code
        if (typeof code === 'string' && Object.hasOwn(shareErrorStatus, code)) {
          throw new HttpError(shareErrorStatus[code as ShareErrorCode], code, (error as Error).message)
        }
        throw error
      }
    },
  }
}

function idOf(request: ApiRequest): string {
  return request.params.id!
}
