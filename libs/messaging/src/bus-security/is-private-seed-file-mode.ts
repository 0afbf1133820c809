/**
 * Whether a seed file with this owner and mode is private enough to hold an identity's password: like
 * ssh with a private key, never readable by others. As PostgreSQL does for its key files, a file owned by
 * root may also be read by its group: that is how a Kubernetes secret volume with `fsGroup` lets a
 * non-root container read it (root:<fsGroup>, mode 0440).
 */
export function isPrivateSeedFileMode(owner: number, mode: number): boolean {
  if ((mode & 0o007) !== 0) return false;
  if ((mode & 0o070) === 0) return true;
  return owner === 0 && (mode & 0o030) === 0;
}
