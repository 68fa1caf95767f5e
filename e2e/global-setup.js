// Starts rillmark-server on a free port for the whole run and stops it after
// (the same launcher as the package's Node tests).
import { fileURLToPath } from 'node:url';
import { startServer } from '../web/test/server.js';

const TOKEN = 'e2e-token';

export default async function globalSetup() {
  const web = fileURLToPath(new URL('../web', import.meta.url));
  const server = await startServer({ token: TOKEN, args: ['--static', web] });
  process.env.RILLMARK_URL = server.url;
  process.env.RILLMARK_TOKEN = TOKEN;
  return () => server.stop();
}
