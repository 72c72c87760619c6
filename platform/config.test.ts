import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, isProduction, loadConfig } from './config.server.ts';

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
	assert.is(loadConfig({ ...production }).cookieSecure, true);
});

// A complete production environment with secrets of its own.
const production = {
	NODE_ENV: 'production',
	DATABASE_URL: 'postgres://concierge_app:Xk3vQ9mPz7@db/concierge',
	DATABASE_OPS_URL: 'postgres://concierge_ops:Lr8wT2nHc4@db/concierge',
	LIVEKIT_URL: 'wss://lk.example.com',
	LIVEKIT_API_KEY: 'APIab12cd34',
	LIVEKIT_API_SECRET: 's'.repeat(40),
	METRICS_TOKEN: 'm'.repeat(32),
	E2EE_SECRET: 'e'.repeat(32)
};

test('production mode: NODE_ENV=production or CONCIERGE_ENV=production', () => {
	assert.ok(isProduction({ NODE_ENV: 'production' }));
	assert.ok(isProduction({ CONCIERGE_ENV: 'production', NODE_ENV: 'development' }));
	assert.not.ok(isProduction({ NODE_ENV: 'test' }));
	assert.is(loadConfig({ ...production, NODE_ENV: undefined, CONCIERGE_ENV: 'production' }).env, 'production');
});

test('production refuses each development secret of infra/env.sh, naming the variable and not the secret', () => {
	const dev: Record<string, string> = {
		DATABASE_URL: 'postgres://concierge_app:app-dev-password@127.0.0.1:5432/concierge',
		DATABASE_OPS_URL: 'postgres://concierge_ops:ops-dev-password@127.0.0.1:5432/concierge',
		DATABASE_OWNER_URL: 'postgres://concierge_owner:owner-dev-password@127.0.0.1:5432/concierge',
		LIVEKIT_API_KEY: 'devkey',
		LIVEKIT_API_SECRET: 'concierge-dev-secret-0123456789abcdef0123',
		METRICS_TOKEN: 'concierge-dev-metrics-token-0123456789'
	};
	for (const [name, value] of Object.entries(dev)) {
		try {
			loadConfig({ ...production, [name]: value });
			assert.unreachable(`${name} with its development value was accepted`);
		} catch (e) {
			assert.instance(e, ConfigError);
			assert.match((e as Error).message, `${name} holds a development secret`);
			assert.not.match((e as Error).message, value);
		}
	}
	// Percent-encoded in a URL is still the same secret.
	assert.throws(() => loadConfig({ ...production, DATABASE_URL: 'postgres://concierge_app:app%2Ddev%2Dpassword@db/concierge' }), /DATABASE_URL holds a development secret/);
	// The same values are fine in development and test.
	assert.is(loadConfig({ NODE_ENV: 'test', ...dev }).env, 'test');
});

test('production names every missing variable, METRICS_TOKEN included', () => {
	for (const name of Object.keys(production).filter((n) => n !== 'NODE_ENV')) {
		const env: Record<string, string | undefined> = { ...production };
		delete env[name];
		assert.throws(() => loadConfig(env), new RegExp(`${name} is required`), name);
	}
	assert.throws(() => loadConfig({ ...production, METRICS_TOKEN: 'short' }), /METRICS_TOKEN must be at least 24/);
});

test('LIVEKIT_API_URL: the server side may reach LiveKit on another URL than browsers do', () => {
	assert.is(loadConfig({ ...production }).livekit.apiUrl, 'wss://lk.example.com');
	assert.is(loadConfig({ ...production, LIVEKIT_API_URL: 'http://127.0.0.1:7880' }).livekit.apiUrl, 'http://127.0.0.1:7880');
	assert.throws(() => loadConfig({ ...production, LIVEKIT_API_URL: 'ftp://x' }), /LIVEKIT_API_URL/);
});

test.run();
