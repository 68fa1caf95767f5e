// Starts rillmark-server on a free port for the whole run and stops it after.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const TOKEN = 'e2e-token';

export default async function globalSetup() {
  const candidates = [process.env.RILLMARK_SERVER_BIN, `${root}build/release/server/rillmark-server`,
                      `${root}build/asan/server/rillmark-server`].filter(Boolean);
  const bin = candidates.find((p) => existsSync(p));
  if (!bin) throw new Error(`rillmark-server not built (looked at ${candidates.join(', ')})`);
  const proc = spawn(bin, ['--port', '0', '--token', TOKEN, '--static', `${root}web`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`rillmark-server exited with ${code}`)));
  });
  process.env.RILLMARK_URL = url;
  process.env.RILLMARK_TOKEN = TOKEN;
  return async () => {
    proc.kill('SIGTERM');
    if (proc.exitCode === null) await once(proc, 'exit');
  };
}
