import { createClient, type RedisClientType } from 'redis';
import { RedisTestServer } from './redis-server';

/**
 * A plain redis-server and a client connected to it for one suite: started in beforeAll, stopped
 * in afterAll. Read `client` inside tests (it is set once the suite starts).
 */
export function plainRedisForSuite(): { readonly client: RedisClientType; readonly server: RedisTestServer } {
  let server: RedisTestServer | undefined;
  let client: RedisClientType | undefined;
  beforeAll(async () => {
    server = await RedisTestServer.start('plain');
    client = createClient({ url: server.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });
  return {
    get client() {
      if (!client) throw new Error('the suite has not started its Redis yet');
      return client;
    },
    get server() {
      if (!server) throw new Error('the suite has not started its Redis yet');
      return server;
    },
  };
}
