/** /etc/os-release texts for fleet hosts, so OS-upgrade workflows see different releases per host. */
export function debianOsRelease(version: 11 | 12 | 13): string {
  const codename = { 11: 'bullseye', 12: 'bookworm', 13: 'trixie' }[version];
  return [
    `PRETTY_NAME="Debian GNU/Linux ${version} (${codename})"`,
    'NAME="Debian GNU/Linux"',
    `VERSION_ID="${version}"`,
    `VERSION="${version} (${codename})"`,
    `VERSION_CODENAME=${codename}`,
    'ID=debian',
    'HOME_URL="https://www.debian.org/"',
    '',
  ].join('\n');
}
