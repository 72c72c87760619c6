import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from './config.server.ts';

test('development defaults are complete', () => {
	const c = loadConfig({ NODE_ENV: 'development' });
	assert.is(c.env, 'development');
	assert.is(c.cookieSecure, false);
	assert.is(c.sessionDays, 30);
});

test('production requires its secrets and names what is missing', () => {
	try {
		loadConfig({ NODE_ENV: 'production' });
		assert.unreachable();
	} catch (e) {
		assert.instance(e, ConfigError);
		for (const v of ['DATABASE_URL', 'LIVEKIT_URL', 'LIVEKIT_API_SECRET', 'E2EE_SECRET']) assert.match((e as Error).message, v);
	}
});

test('bad values are named', () => {
	assert.throws(() => loadConfig({ NODE_ENV: 'development', SESSION_DAYS: 'ten' }), /SESSION_DAYS/);
	assert.throws(() => loadConfig({ NODE_ENV: 'development', LIVEKIT_API_SECRET: 'short' }), /at least 32/);
	assert.throws(() => loadConfig({ NODE_ENV: 'development', DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
	assert.is(loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://a@b/c', DATABASE_OPS_URL: 'postgres://a@b/c', LIVEKIT_URL: 'wss://lk', LIVEKIT_API_KEY: 'k', LIVEKIT_API_SECRET: 's'.repeat(32), E2EE_SECRET: 'e'.repeat(32) }).cookieSecure, true);
});

test.run();
