/** A host as a URL or Host header writes it: an IPv6 address in brackets (`[fd00::7]`), anything else as it is. */
export function urlHost(name: string): string {
  return name.includes(':') ? `[${name}]` : name;
}
