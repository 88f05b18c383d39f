/**
 * The console's Content-Security-Policy, one definition for both places that serve it: the local runtime
 * (infra/local/console-site.ts) and CloudFront (infra/cdk/console-stack.ts). Scripts, styles and
 * connections only from the console's own origin (the API is there too), plus what signing in needs; no
 * inline script or style, no eval, no framing.
 */
export interface ConsoleCspOptions {
  /** Origins the console may call besides its own (on AWS: the region's Cognito endpoint). */
  readonly connect?: readonly string[];
  /** HTTPS deployments: ask the browser to upgrade any http:// reference (never on loopback http). */
  readonly upgradeInsecureRequests?: boolean;
}

export function consoleContentSecurityPolicy(options: ConsoleCspOptions = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    ["connect-src 'self'", ...(options.connect ?? [])].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.upgradeInsecureRequests ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}
