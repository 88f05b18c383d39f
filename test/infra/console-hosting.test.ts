/**
 * The registry console on AWS (infra/cdk/console-stack.ts; issue 11): a private bucket only this
 * distribution reads (origin access control), HTTPS only, strict security headers, the staff API on the
 * same origin under `/v1/*` (never cached, Authorization passed on), and the deployed config naming the
 * Cognito pool and the console's client, with no secret.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ZhitongApp } from '../../infra/cdk/app';
import { ConsoleStack, consoleContentSecurityPolicy } from '../../infra/cdk/console-stack';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
let built: ZhitongApp;
let consoleStack: ConsoleStack;
let resources: Resources;
let template: Template;
const temporary: string[] = [];

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const only = (type: string) => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const text = (value: unknown) => JSON.stringify(value);

beforeAll(() => {
  // The console stack as the app wires it (buildApp with the built console's directory): the API and the
  // Cognito pool of the app's own stacks. A one-file site stands in for the built files.
  const siteDir = mkdtempSync(join(tmpdir(), 'zhitong-console-site-'));
  const outdir = mkdtempSync(join(tmpdir(), 'zhitong-cdk-console-'));
  temporary.push(siteDir, outdir);
  writeFileSync(join(siteDir, 'index.html'), '<!doctype html><html lang="zh-CN"><title>直通</title></html>');
  built = buildApp({ outdir, consoleSiteDir: siteDir, context: { stage: 'test', 'aws:cdk:bundling-stacks': [] } });
  consoleStack = built.console!;
  built.app.synth();
  template = Template.fromStack(consoleStack);
  resources = template.toJSON().Resources as Resources;
});

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe('the console stack in the app', () => {
  it('is the fourth stack, named after the stage, when the app is given the built console', () => {
    expect(consoleStack.stackName).toBe('test-ZhitongConsole');
    expect(built.app.node.children.filter((c) => c instanceof Stack).map((c) => (c as Stack).stackName).sort()).toEqual(
      ['test-ZhitongConsole', 'test-ZhitongStateful', 'test-ZhitongStateless', 'test-ZhitongWorkers'],
    );
  });
});

describe('the console bucket and its distribution', () => {
  it('keeps the bucket private: all public access blocked, TLS enforced, encrypted, versioned, access-logged', () => {
    const [siteId, site] = ofType('AWS::S3::Bucket').find(([id]) => id.startsWith('ConsoleSite'))!;
    expect(site.Properties?.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(site.Properties?.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(site.Properties?.BucketEncryption).toBeDefined();
    expect(site.Properties?.LoggingConfiguration).toBeDefined();
    const policy = ofType('AWS::S3::BucketPolicy').find(([, p]) => text(p.Properties?.Bucket).includes(siteId))!;
    expect(text(policy[1].Properties)).toContain('"aws:SecureTransport":"false"');
  });

  it('lets only this distribution read the bucket, through origin access control (no OAI, no public principal)', () => {
    expect(ofType('AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual([]);
    const [, oac] = only('AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties?.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    const [siteId] = ofType('AWS::S3::Bucket').find(([id]) => id.startsWith('ConsoleSite'))!;
    const [distributionId] = only('AWS::CloudFront::Distribution');
    const policy = ofType('AWS::S3::BucketPolicy').find(([, p]) => text(p.Properties?.Bucket).includes(siteId))!;
    const statements = (policy[1].Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    // BucketDeployment's custom resource writes with its role (identity policy), not through the bucket policy.
    for (const statement of allows) {
      expect(statement.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      expect(text(statement.Condition)).toContain('AWS:SourceArn');
      expect(text(statement.Condition)).toContain(distributionId);
    }
    expect(allows.length).toBeGreaterThan(0);
    expect(text(statements)).not.toContain('"Principal":"*"');
  });

  it('redirects to HTTPS and answers every path with the security headers: a CSP without inline or eval scripts, HSTS, no sniffing, no framing', () => {
    const [, distribution] = only('AWS::CloudFront::Distribution');
    const config = distribution.Properties?.DistributionConfig as { DefaultCacheBehavior: Record<string, unknown>; CacheBehaviors: Record<string, unknown>[]; Logging?: unknown };
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.Logging).toBeDefined();
    const [headersId, headers] = only('AWS::CloudFront::ResponseHeadersPolicy');
    const security = (headers.Properties?.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> }).SecurityHeadersConfig;
    const csp = text(security.ContentSecurityPolicy!.ContentSecurityPolicy);
    const scriptSrc = /script-src ([^;]*)/.exec(csp)![1]!;
    expect(scriptSrc).toBe("'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(security.StrictTransportSecurity).toMatchObject({ Override: true });
    expect(Number(security.StrictTransportSecurity!.AccessControlMaxAgeSec)).toBeGreaterThanOrEqual(31_536_000);
    expect(security.ContentTypeOptions).toMatchObject({ Override: true });
    expect(security.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) expect(text(behavior.ResponseHeadersPolicyId)).toContain(headersId);
  });

  it("lets the console connect to its own origin and to the region's Cognito endpoint only", () => {
    expect(consoleContentSecurityPolicy('cn-north-1')).toContain("connect-src 'self' https://cognito-idp.cn-north-1.amazonaws.com;");
  });

  it('serves the staff API under /v1/* on the same origin: every method, never cached, all viewer headers (Authorization too) but Host', () => {
    const [, distribution] = only('AWS::CloudFront::Distribution');
    const config = distribution.Properties?.DistributionConfig as { CacheBehaviors: Record<string, unknown>[]; Origins: Record<string, unknown>[] };
    const api = config.CacheBehaviors.find((b) => b.PathPattern === '/v1/*')!;
    expect(api.ViewerProtocolPolicy).toBe('https-only');
    expect(api.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']));
    // AWS managed policies: CachingDisabled and AllViewerExceptHostHeader.
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    const origin = config.Origins.find((o) => o.Id === api.TargetOriginId)!;
    expect(text(origin.DomainName)).toContain('execute-api');
    expect(text(origin.OriginPath)).toContain('/test');
    expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only' });
  });

  it('deploys the built files under console/ with a config.json naming the Cognito pool and the console client, and no secret', () => {
    const [, deployment] = only('Custom::CDKBucketDeployment');
    expect(deployment.Properties?.DestinationBucketKeyPrefix).toBe('console/');
    expect(deployment.Properties?.DistributionPaths).toEqual(['/console/*']);
    const markers = text(deployment.Properties?.SourceMarkers);
    expect(markers).toContain('StaffUserPool');
    expect(markers).toContain('StaffConsoleClient');
    expect(markers.toLowerCase()).not.toContain('secret');
    const [, client] = Object.entries(Template.fromStack(built.stateful).toJSON().Resources as Resources).find(([, r]) => r.Type === 'AWS::Cognito::UserPoolClient')!;
    expect(client.Properties?.GenerateSecret).not.toBe(true);
    expect(client.Properties?.ExplicitAuthFlows).toEqual(expect.arrayContaining(['ALLOW_USER_SRP_AUTH']));
    expect(client.Properties?.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
  });

  it('leaves cdk-nag (AwsSolutions) nothing unacknowledged in the console stack', () => {
    const { violations } = new AwsSolutionsChecks().validateScope(consoleStack);
    expect(violations.map((v) => `${v.severity} ${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});
