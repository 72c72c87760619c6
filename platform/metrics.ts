/**
 * Every Prometheus metric of the platform, in one registry (prom-client). Platform
 * code records with the small functions below at its choke points; the apps'
 * `/metrics` routes and the worker's health port render the registry with
 * metricsText() (platform/health.ts guards access with METRICS_TOKEN).
 *
 * Gauges that describe shared state (concierges by state, job queue depth) are
 * filled at scrape time by collectors registered by the process that can see
 * that state (the worker); per-process counts (open streams) are kept in memory.
 * Call metrics carry tenant="customer" or tenant="synthetic" (the call probe's tenant,
 * migration 009): KPIs count customer only. All names start with `concierge_`; infra/monitoring/ holds the dashboard and
 * the alert rules written against them.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { refreshSyntheticTenants, tenantKind } from './tenants/synthetic.ts';

export const registry = new Registry();

const ringDelivery = new Histogram({
	name: 'concierge_ring_delivery_seconds',
	help: 'From a ring being published to it reaching a concierge stream (per stream).',
	buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
	labelNames: ['tenant'] as const,
	registers: [registry]
});

const callSetup = new Histogram({
	name: 'concierge_call_setup_seconds',
	help: 'From a concierge accepting to both parties being in the LiveKit room.',
	buckets: [0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30],
	labelNames: ['tenant'] as const,
	registers: [registry]
});

const callsPlaced = new Counter({
	name: 'concierge_calls_placed_total',
	help: 'Calls placed by kiosks, by whether they rang at once or queued.',
	labelNames: ['start', 'tenant'] as const,
	registers: [registry]
});

const callsAccepted = new Counter({
	name: 'concierge_calls_accepted_total',
	help: 'Calls answered by a concierge.',
	labelNames: ['tenant'] as const,
	registers: [registry]
});

const callsFinished = new Counter({
	name: 'concierge_calls_finished_total',
	help: 'Calls that came to an end, by final state (ended, missed, cancelled) and end reason.',
	labelNames: ['state', 'reason', 'tenant'] as const,
	registers: [registry]
});

const streamsOpen = new Gauge({
	name: 'concierge_event_streams_open',
	help: 'Open server-sent event streams in this process, by role.',
	labelNames: ['role'] as const,
	registers: [registry]
});

const concierges = new Gauge({
	name: 'concierge_concierges',
	help: 'Concierges by effective state, over every tenant with live presence (reported by the worker).',
	labelNames: ['state'] as const,
	registers: [registry]
});

const jobQueue = new Gauge({
	name: 'concierge_job_queue_jobs',
	help: 'Jobs in the queue by status (waiting, delayed, active, failed), reported by the worker.',
	labelNames: ['status'] as const,
	registers: [registry]
});

const jobsDone = new Counter({
	name: 'concierge_jobs_completed_total',
	help: 'Jobs completed, by job name.',
	labelNames: ['job'] as const,
	registers: [registry]
});

const jobsFailed = new Counter({
	name: 'concierge_jobs_failed_total',
	help: 'Job attempts that failed, by job name and whether another attempt follows (retry) or not (final).',
	labelNames: ['job', 'outcome'] as const,
	registers: [registry]
});

const jobsStalled = new Counter({
	name: 'concierge_jobs_stalled_total',
	help: 'Jobs whose worker lost them (lock lapsed); they run again.',
	registers: [registry]
});

const reportsIngested = new Counter({
	name: 'concierge_reports_ingested_total',
	help: 'Crash report uploads by outcome (stored, duplicate or refused for an unknown kiosk, error).',
	labelNames: ['outcome'] as const,
	registers: [registry]
});

const signInFailures = new Counter({
	name: 'concierge_signin_failures_total',
	help: 'Refused sign-ins (wrong login ID or password, or a locked-out source).',
	labelNames: ['app'] as const,
	registers: [registry]
});

const lockouts = new Counter({
	name: 'concierge_signin_lockouts_total',
	help: 'Sign-in failures that put a lock on a source for a login ID.',
	labelNames: ['app'] as const,
	registers: [registry]
});

const readiness = new Gauge({
	name: 'concierge_dependency_up',
	help: 'Result of the last readiness check of each dependency (1 up, 0 down).',
	labelNames: ['dependency'] as const,
	registers: [registry]
});

export type CallStart = 'ringing' | 'queued';
export type Role = 'kiosk' | 'concierge' | 'admin' | 'operator';

/** The tenant label of a call metric (and a refresh of the synthetic set when it is old). */
function tenant(tenantId: string): 'synthetic' | 'customer' {
	void refreshSyntheticTenants();
	return tenantKind(tenantId);
}

export const metrics = {
	ringDelivered(tenantId: string, seconds: number): void {
		ringDelivery.observe({ tenant: tenant(tenantId) }, Math.max(0, seconds));
	},
	callSetUp(tenantId: string, seconds: number): void {
		callSetup.observe({ tenant: tenant(tenantId) }, Math.max(0, seconds));
	},
	callPlaced(tenantId: string, start: CallStart): void {
		callsPlaced.inc({ start, tenant: tenant(tenantId) });
	},
	callAccepted(tenantId: string): void {
		callsAccepted.inc({ tenant: tenant(tenantId) });
	},
	callFinished(tenantId: string, state: 'ended' | 'missed' | 'cancelled', reason: string): void {
		callsFinished.inc({ state, reason, tenant: tenant(tenantId) });
	},
	streamOpened(role: string): void {
		streamsOpen.inc({ role });
	},
	streamClosed(role: string): void {
		streamsOpen.dec({ role });
	},
	jobCompleted(job: string): void {
		jobsDone.inc({ job });
	},
	jobFailed(job: string, final: boolean): void {
		jobsFailed.inc({ job, outcome: final ? 'final' : 'retry' });
	},
	jobStalled(): void {
		jobsStalled.inc();
	},
	reportIngested(outcome: 'stored' | 'duplicate' | 'error', n = 1): void {
		reportsIngested.inc({ outcome }, n);
	},
	signInFailed(app: string, lockedNow: boolean): void {
		signInFailures.inc({ app });
		if (lockedNow) lockouts.inc({ app });
	},
	dependency(name: string, up: boolean): void {
		readiness.set({ dependency: name }, up ? 1 : 0);
	}
};

type Collector = () => Promise<void>;
const collectors: Collector[] = [];

/**
 * The worker's scrape-time view of shared state: concierges by state and the job
 * queue's counts. Each is read when /metrics is scraped; a failing read is logged
 * by the caller and leaves the last values.
 */
export function collectSharedState(read: { concierges: () => Promise<Record<string, number>>; jobs: () => Promise<Record<string, number>> }): void {
	collectors.push(async () => {
		const [byState, counts] = await Promise.all([read.concierges(), read.jobs()]);
		for (const [state, n] of Object.entries(byState)) concierges.set({ state }, n);
		for (const [status, n] of Object.entries(counts)) jobQueue.set({ status }, n);
	});
}

let defaults = false;

/** The registry in Prometheus' text format, with process metrics (CPU, memory, event loop) and a process label. */
export async function metricsText(processName: string): Promise<{ contentType: string; body: string }> {
	if (!defaults) {
		defaults = true;
		registry.setDefaultLabels({ process: processName });
		collectDefaultMetrics({ register: registry, prefix: 'concierge_' });
	}
	const results = await Promise.allSettled(collectors.map((c) => c()));
	for (const r of results) if (r.status === 'rejected') console.error(JSON.stringify({ level: 'error', area: 'metrics', msg: 'collector failed', error: String(r.reason) }));
	return { contentType: registry.contentType, body: await registry.metrics() };
}
