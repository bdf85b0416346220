import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { ENV_KEYS } from '../src/config/env.validation';
import { createTestApp } from './support/test-app';

const root = resolve(__dirname, '..');
const k8sDir = join(root, 'deploy', 'k8s');
/** What `kubectl apply -f deploy/k8s/` applies (not the examples/ to copy, such as the Secret). */
const manifestsIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => ({ file: f, doc: d.toJS() })));
const applied = manifestsIn(k8sDir);
const manifests = [...applied, ...manifestsIn(join(k8sDir, 'examples'))];
const byKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);

describe('deployment files', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createTestApp({ REDIS_URL: undefined });
  });
  afterAll(() => app.close());

  it('applies no placeholder Secret over the real one with kubectl apply -f deploy/k8s/', () => {
    expect(applied.map((m) => m.doc.kind)).not.toContain('Secret');
  });

  it('has every Kubernetes object, each parseable', () => {
    expect(manifests.map((m) => m.doc.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Secret', 'Service'].sort(),
    );
  });

  it("points every probe at a path and port the app serves", async () => {
    const [deployment] = byKind('Deployment');
    const [container] = deployment.spec.template.spec.containers;
    const [configMap] = byKind('ConfigMap');
    const port = container.ports.find((p: { name: string }) => p.name === 'http').containerPort;
    expect(String(port)).toBe(configMap.data.PORT);
    const probes = ['livenessProbe', 'readinessProbe', 'startupProbe'].map((p) => container[p].httpGet);
    expect(probes.map((p) => p.path)).toEqual(['/health/live', '/health/ready', '/health/startup']);
    for (const probe of probes) {
      expect(probe.port).toBe('http');
      await request(app.getHttpServer()).get(probe.path).expect(200);
    }
    const [service] = byKind('Service');
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(deployment.spec.template.metadata.annotations['prometheus.io/path']).toBe('/metrics');
    await request(app.getHttpServer()).get('/metrics').expect(200);
  });

  it('runs non-root on a read-only filesystem, with limits, and outlasts the drain', () => {
    const [deployment] = byKind('Deployment');
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();
    const [configMap] = byKind('ConfigMap');
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      Number(configMap.data.SHUTDOWN_GRACE_MS) + Number(configMap.data.SHUTDOWN_TIMEOUT_MS),
    );
    const [pdb] = byKind('PodDisruptionBudget');
    const [hpa] = byKind('HorizontalPodAutoscaler');
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(hpa.spec.scaleTargetRef.name).toBe(deployment.metadata.name);
  });

  it('configures only variables the service knows', () => {
    const [configMap] = byKind('ConfigMap');
    const [secret] = byKind('Secret');
    for (const key of [...Object.keys(configMap.data), ...Object.keys(secret.stringData)]) {
      expect(ENV_KEYS).toContain(key);
    }
  });

  it('composes two replicas on Redis 8, and Prometheus on demand', () => {
    const [compose] = parseAllDocuments(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }).map((d) => d.toJS());
    expect(compose.services.redis.image).toBe('redis:8');
    expect(compose.services.app1.ports).not.toEqual(compose.services.app2.ports);
    for (const app of ['app1', 'app2']) expect(compose.services[app].environment.REDIS_URL).toBe('redis://redis:6379');
    expect(compose.services.prometheus.profiles).toEqual(['metrics']);
  });

  it('has a Dockerfile that hadolint accepts: multi-stage, non-root, exec-form CMD, HEALTHCHECK on /health/live', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:24-slim AS build$/m);
    expect(dockerfile).toMatch(/^FROM node:24-alpine AS runtime$/m);
    expect(dockerfile).toMatch(/^COPY --from=build --chown=1000:1000 \/app\/bundle \.\/$/m);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "main.js"\]$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/health\/live/m);
    const hadolint = [join(root, '.cache', 'bin', 'hadolint'), '/usr/local/bin/hadolint'].find((p) => existsSync(p));
    if (!hadolint) throw new Error('hadolint is missing: run `bash .ci/install-hadolint.sh`');
    expect(execFileSync(hadolint, ['--failure-threshold', 'info', join(root, 'Dockerfile')]).toString()).toBe('');
  });

  it('ships a bundle of under 40 MB: main.js and only the packages read from disk', () => {
    const bundle = join(root, 'bundle');
    expect(readdirSync(bundle).sort()).toEqual(['main.js', 'node_modules', 'package.json']);
    const packages = readdirSync(join(bundle, 'node_modules'));
    for (const name of ['pino', 'pino-pretty', 'swagger-ui-dist']) expect(packages).toContain(name);
    for (const name of ['@langchain', '@nestjs', 'typescript', 'openai']) expect(packages).not.toContain(name);
    expect(sizeOf(bundle)).toBeLessThan(40 * MB);
  });

  (dockerEngine() ? it : it.skip)('builds an image under 250 MB (where a Docker engine runs)', () => {
    execFileSync('docker', ['build', '--quiet', '--tag', 'langgraph-agent-service:test', root], { stdio: 'ignore', timeout: 15 * 60_000 });
    const bytes = Number(execFileSync('docker', ['image', 'inspect', '--format', '{{.Size}}', 'langgraph-agent-service:test']).toString());
    expect(bytes).toBeLessThan(250 * MB);
  }, 16 * 60_000);
});

const MB = 1024 * 1024;

/** Bytes of the files under `path`. */
function sizeOf(path: string): number {
  const stat = statSync(path);
  return stat.isDirectory() ? readdirSync(path).reduce((sum, entry) => sum + sizeOf(join(path, entry)), 0) : stat.size;
}

/** Whether `docker` reaches an engine here (this project's CI machines have only the client). */
function dockerEngine(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
