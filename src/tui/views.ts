/** The UI's views, in the order tab and the number keys go through them. */
export const VIEWS = ['services', 'detail', 'hosts', 'logs'] as const
export type View = (typeof VIEWS)[number]
