import test from 'ava';
import { hasCode } from '../../../core/errors.js';
import { setup } from './harness.js';

test('with authentication on and no users, only CREATE USER ... WITH ALL PRIVILEGES is allowed first', async (t) => {
  const env = await setup();
  try {
    const run = (q: string) => env.exec.execute(q, { db: '', rp: '', readOnly: false, auth: { user: undefined } });
    for (const q of ['SHOW DATABASES', `CREATE USER first_plain WITH PASSWORD 'pw'`]) {
      const err = t.throws(() => run(q));
      t.true(hasCode(err, 'ERR_QUERY_UNAUTHORIZED'));
      t.is(err!.message, 'error authorizing query: create admin user first or disable authentication');
    }
    t.deepEqual(await env.results(`CREATE USER adm WITH PASSWORD 'pw' WITH ALL PRIVILEGES`, { auth: { user: undefined } }), [{ statement_id: 0 }]);
  } finally {
    await env.close();
  }
});

test('non-admin users need the privilege each statement requires; admins may do anything; SHOW DATABASES is filtered', async (t) => {
  const env = await setup();
  try {
    await env.json(`CREATE USER adm WITH PASSWORD 'pw' WITH ALL PRIVILEGES`);
    await env.json(`CREATE USER bob WITH PASSWORD 'pw'`);
    await env.json('CREATE DATABASE db');
    await env.json('CREATE DATABASE db2');
    await env.json('CREATE DATABASE other');
    await env.json('GRANT READ ON db TO bob');
    await env.json('GRANT WRITE ON db2 TO bob');
    const user = (name: string) => env.meta.data().users.find((u) => u.name === name);
    const denied = (q: string, db = 'db'): string => {
      try {
        env.exec.execute(q, { db, rp: '', readOnly: true, auth: { user: user('bob') } });
        return 'allowed';
      } catch (err) {
        return (err as Error).message;
      }
    };
    t.is(denied('SELECT * FROM m'), 'allowed');
    t.is(denied('SHOW MEASUREMENTS'), 'allowed');
    t.is(denied('SELECT * FROM m', 'db2'), "error authorizing query: bob not authorized to execute statement 'SELECT * FROM m', requires READ on db2");
    t.is(denied('SHOW USERS'), "error authorizing query: bob not authorized to execute statement 'SHOW USERS', requires admin privilege");
    t.is(denied('CREATE DATABASE x'), "error authorizing query: bob not authorized to execute statement 'CREATE DATABASE x', requires admin privilege");
    t.is(denied(`SET PASSWORD FOR bob = 'x'`), "error authorizing query: bob not authorized to execute statement 'SET PASSWORD FOR bob = [REDACTED]', requires admin privilege");
    t.is(denied(`DROP SERIES FROM m WHERE who = 'x'`), "error authorizing query: bob not authorized to execute statement 'DROP SERIES FROM m WHERE who = 'x'', requires WRITE on db");
    t.is(denied(`DROP SERIES FROM m WHERE who = 'x'`, 'db2'), 'allowed');
    t.is(denied('SELECT * INTO db2..copy FROM m'), 'allowed');
    t.is(denied('SELECT * INTO other..copy FROM m'), "error authorizing query: bob not authorized to execute statement 'SELECT * INTO other..copy FROM m', requires WRITE on other");
    t.is(denied('SHOW DATABASES'), 'allowed');
    t.deepEqual(await env.results('SHOW DATABASES', { auth: { user: user('bob') } }), [{ statement_id: 0, series: [{ name: 'databases', columns: ['name'], values: [['db'], ['db2']] }] }]);
    t.deepEqual(await env.results('SHOW DATABASES', { auth: { user: user('adm') } }), [{ statement_id: 0, series: [{ name: 'databases', columns: ['name'], values: [['db'], ['db2'], ['other']] }] }]);
    t.is(
      (() => {
        try {
          env.exec.execute('SHOW USERS; CREATE DATABASE y', { db: '', rp: '', readOnly: false, auth: { user: user('adm') } });
          return 'allowed';
        } catch (err) {
          return (err as Error).message;
        }
      })(),
      'allowed',
    );
    await env.json('GRANT ALL ON db2 TO bob');
    t.is(denied('SELECT * FROM m', 'db2'), 'allowed');
  } finally {
    await env.close();
  }
});
