/**
 * The one place that reads process.env. Validated once, cached, typed. A bad or
 * missing variable stops start-up with a message naming it.
 */
export interface Config {
	env: 'development' | 'test' | 'production';
	databaseUrl: string;
	databaseOpsUrl: string;
	/**
	 * PostgreSQL's Unix-socket folder (DATABASE_SOCKET_DIR, e.g. /var/run/postgresql): when
	 * set, the pools connect through the socket instead of the URL's host and port (less
	 * CPU per query than TCP loopback; infra/services.sh allows password auth on it).
	 */
	databaseSocketDir: string | null;
	databaseOwnerUrl: string | null;
	/** url: what browsers connect to; apiUrl: what the server's API calls and health checks use (LIVEKIT_API_URL, default url). */
	livekit: { url: string; apiUrl: string; apiKey: string; apiSecret: string };
	/** Bearer token that /metrics requires; null: /metrics answers 404 (required in production). */
	metricsToken: string | null;
	/** The worker's health and metrics listener (WORKER_HEALTH_PORT; 0 or unset: none). */
	workerHealth: { host: string; port: number };
	/**
	 * Derives each call's end-to-end media key (HMAC-SHA256 of the call id): nothing
	 * is stored, and LiveKit never holds it (so the SFU cannot derive the keys).
	 */
	e2eeSecret: string;
	redisUrl: string | null;
	/** Sessions: lifetime and the point at which use pushes expiry back (Lucia guide: 30/15 days). */
	sessionDays: number;
	sessionRenewDays: number;
	/** When true, session cookies carry Secure. Defaults to on outside development/test. */
	cookieSecure: boolean;
	/** Upper bound on request bodies the apps accept, in bytes. */
	bodyLimitBytes: number;
	/** Per-IP sign-in attempts per minute before 429. */
	signInPerMinute: number;
	/** Background jobs (platform/jobs): queue name, lock period, worker concurrency. */
	jobs: { queue: string; lockMs: number; concurrency: number };
	/** Crash reports: per-kiosk upload burst and refill, and how long reports are kept. */
	reports: { burst: number; perMinute: number; retentionDays: number };
	/** Audit log retention in days (default 365, i.e. 12 months; at least 30). */
	auditRetentionDays: number;
	/** Seconds a call rings before it becomes missed. */
	callRingTimeoutSeconds: number;
	/** Seconds a party may be gone from a call (left the room, lost its console) before the call ends. */
	callGraceSeconds: number;
	/** The longest a call may last; a warning goes to both parties five minutes before. */
	callMaxMinutes: number;
	/** Seconds a concierge stays busy after a call ends (wrap-up) before the queue rings it. */
	callWrapUpSeconds: number;
	/** Seconds a call may wait in the queue for a busy concierge before it is given up. */
	callQueueMaxSeconds: number;
	/** Calls one kiosk may place per minute (a stuck or abused button cannot ring everyone). */
	callRatePerMinute: number;
	/** Seconds without a live console stream after which a concierge counts as offline. */
	presenceOfflineGraceSeconds: number;
	/** Call history retention in days (default 365, i.e. 12 months; at least 30). */
	callRetentionDays: number;
}

let cached: Config | null = null;

export class ConfigError extends Error {}

/**
 * The development secrets of infra/env.sh and the defaults below. A production
 * process refuses to start with any of them (or with a URL that embeds one).
 */
export const DEVELOPMENT_SECRETS: readonly string[] = [
	'owner-dev-password',
	'app-dev-password',
	'ops-dev-password',
	'concierge-dev-secret-0123456789abcdef0123',
	'concierge-dev-metrics-token-0123456789',
	'concierge-dev-e2ee-secret-0123456789abcdef',
	'devkey'
];

/** Production mode: NODE_ENV=production or CONCIERGE_ENV=production (systemd units and the Helm chart set both). */
export function isProduction(env: NodeJS.ProcessEnv = process.env): boolean {
	return env.NODE_ENV === 'production' || env.CONCIERGE_ENV === 'production';
}

/** Names of the variables (from `names`) whose value is, or contains, a development secret. */
export function developmentSecretsIn(env: NodeJS.ProcessEnv, names: readonly string[]): string[] {
	return names.filter((n) => {
		const v = env[n];
		if (!v) return false;
		let decoded = v;
		try {
			decoded = decodeURIComponent(v);
		} catch {
			// Not percent-encoded: compare as it is.
		}
		return DEVELOPMENT_SECRETS.some((s) => v === s || (s.length > 8 && (v.includes(s) || decoded.includes(s))));
	});
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const problems: string[] = [];
	const str = (name: string, fallback?: string): string => {
		const v = env[name] ?? fallback;
		if (v === undefined || v === '') {
			problems.push(`${name} is required`);
			return '';
		}
		return v;
	};
	const int = (name: string, fallback: number, min: number, max: number): number => {
		const raw = env[name];
		if (raw === undefined || raw === '') return fallback;
		const n = Number(raw);
		if (!Number.isInteger(n) || n < min || n > max) {
			problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
			return fallback;
		}
		return n;
	};
	const url = (name: string, protocols: string[], fallback?: string): string => {
		const v = str(name, fallback);
		if (!v) return v;
		try {
			const u = new URL(v);
			if (!protocols.includes(u.protocol)) problems.push(`${name} must use ${protocols.join(' or ')} (got ${u.protocol})`);
		} catch {
			problems.push(`${name} is not a valid URL`);
		}
		return v;
	};

	const nodeEnv = isProduction(env) ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
	const dev = nodeEnv !== 'production';
	const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:'], dev ? 'postgres://concierge_app:app-dev-password@127.0.0.1:5432/concierge' : undefined);
	const config: Config = {
		env: nodeEnv,
		databaseUrl,
		databaseOpsUrl: url('DATABASE_OPS_URL', ['postgres:', 'postgresql:'], dev ? 'postgres://concierge_ops:ops-dev-password@127.0.0.1:5432/concierge' : undefined),
		databaseOwnerUrl: env.DATABASE_OWNER_URL || null,
		livekit: {
			url: url('LIVEKIT_URL', ['ws:', 'wss:'], dev ? 'ws://127.0.0.1:7880' : undefined),
			apiUrl: '',
			apiKey: str('LIVEKIT_API_KEY', dev ? 'devkey' : undefined),
			apiSecret: str('LIVEKIT_API_SECRET', dev ? 'concierge-dev-secret-0123456789abcdef0123' : undefined)
		},
		databaseSocketDir: env.DATABASE_SOCKET_DIR || null,
		e2eeSecret: str('E2EE_SECRET', dev ? 'concierge-dev-e2ee-secret-0123456789abcdef' : undefined),
		redisUrl: env.REDIS_URL || null,
		metricsToken: env.METRICS_TOKEN || null,
		workerHealth: { host: env.WORKER_HEALTH_HOST || '127.0.0.1', port: int('WORKER_HEALTH_PORT', 0, 0, 65535) },
		sessionDays: int('SESSION_DAYS', 30, 1, 365),
		sessionRenewDays: int('SESSION_RENEW_DAYS', 15, 0, 365),
		cookieSecure: env.COOKIE_SECURE ? env.COOKIE_SECURE === 'true' : !dev,
		bodyLimitBytes: int('BODY_LIMIT_BYTES', 512 * 1024, 1024, 64 * 1024 * 1024),
		signInPerMinute: int('SIGNIN_PER_MINUTE', 60, 1, 100_000),
		jobs: {
			queue: str('JOBS_QUEUE', 'concierge'),
			// A killed worker's job is retried once its lock lapses; short locks mean quick recovery.
			lockMs: int('JOBS_LOCK_MS', 30_000, 1_000, 600_000),
			concurrency: int('JOBS_CONCURRENCY', 4, 1, 64)
		},
		reports: {
			burst: int('REPORTS_BURST', 20, 1, 100_000),
			perMinute: int('REPORTS_PER_MINUTE', 12, 1, 600_000),
			retentionDays: int('REPORTS_RETENTION_DAYS', 90, 7, 3650)
		},
		auditRetentionDays: int('AUDIT_RETENTION_DAYS', 365, 30, 3650),
		callRingTimeoutSeconds: int('CALL_RING_TIMEOUT_SECONDS', 45, 5, 600),
		callGraceSeconds: int('CALL_GRACE_SECONDS', 20, 3, 300),
		callMaxMinutes: int('CALL_MAX_MINUTES', 60, 6, 24 * 60),
		callWrapUpSeconds: int('CALL_WRAP_UP_SECONDS', 10, 0, 600),
		callQueueMaxSeconds: int('CALL_QUEUE_MAX_SECONDS', 600, 30, 3600),
		callRatePerMinute: int('CALL_RATE_PER_MINUTE', 6, 1, 600),
		presenceOfflineGraceSeconds: int('PRESENCE_OFFLINE_GRACE_SECONDS', 20, 5, 600),
		callRetentionDays: int('CALL_RETENTION_DAYS', 365, 30, 3650)
	};
	config.livekit.apiUrl = env.LIVEKIT_API_URL ? url('LIVEKIT_API_URL', ['ws:', 'wss:', 'http:', 'https:']) : config.livekit.url;
	if (config.metricsToken !== null && config.metricsToken.length < 24) problems.push('METRICS_TOKEN must be at least 24 characters');
	if (!dev) {
		if (!config.metricsToken) problems.push('METRICS_TOKEN is required');
		for (const name of developmentSecretsIn(env, [
			'DATABASE_URL',
			'DATABASE_OPS_URL',
			'DATABASE_OWNER_URL',
			'LIVEKIT_API_KEY',
			'LIVEKIT_API_SECRET',
			'REDIS_URL',
			'METRICS_TOKEN',
			'E2EE_SECRET'
		]))
			problems.push(`${name} holds a development secret from infra/env.sh; production needs its own (infra/prod/install.sh generates them)`);
	}
	if (!/^[a-z][a-z0-9-]{0,62}$/.test(config.jobs.queue)) problems.push('JOBS_QUEUE must be lower-case letters, digits and dashes');
	if (config.livekit.apiSecret && config.livekit.apiSecret.length < 32) problems.push('LIVEKIT_API_SECRET must be at least 32 characters');
	if (config.e2eeSecret && config.e2eeSecret.length < 32) problems.push('E2EE_SECRET must be at least 32 characters');
	if (config.e2eeSecret && config.e2eeSecret === config.livekit.apiSecret)
		problems.push('E2EE_SECRET must differ from LIVEKIT_API_SECRET (the SFU must not be able to derive media keys)');
	if (env.REDIS_URL) url('REDIS_URL', ['redis:', 'rediss:']);
	if (config.sessionRenewDays >= config.sessionDays) problems.push('SESSION_RENEW_DAYS must be less than SESSION_DAYS');
	if (problems.length) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
	return config;
}

export function config(): Config {
	cached ??= loadConfig();
	return cached;
}
