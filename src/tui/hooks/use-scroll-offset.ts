import {useRef} from 'react'

/**
 * The first visible line of a list `height` lines tall that keeps line `selected` in view,
 * moving as little as it can from where it was (as a pager scrolls, not re-centring each time).
 */
export function useScrollOffset(selected: number, total: number, height: number): number {
  const offset = useRef(0)
  offset.current = scrollOffset(offset.current, selected, total, height)
  return offset.current
}

export function scrollOffset(previous: number, selected: number, total: number, height: number): number {
  if (height <= 0 || total <= height) return 0
  let offset = Math.min(Math.max(previous, 0), total - height)
  if (selected < offset) offset = selected
  else if (selected >= offset + height) offset = selected - height + 1
  return Math.max(0, offset)
}
