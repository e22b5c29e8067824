/**
 * Whether a process with this pid exists on this machine. EPERM means it exists but belongs to
 * another user. A zombie (dead, not yet reaped by its parent) still counts as alive.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
