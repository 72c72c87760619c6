/**
 * The metrics registry (platform/metrics.ts) and the monitoring files written
 * against it (infra/monitoring/): every concierge_* name the dashboard and the
 * alert rules use is one the registry exports, so a renamed metric cannot leave
 * an alert silently matching nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { metrics, metricsText, registry } from './metrics.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

async function exported(): Promise<Set<string>> {
	const { body } = await metricsText('test');
	const names = new Set<string>();
	for (const m of body.matchAll(/^# TYPE (\S+) (\S+)/gm)) {
		names.add(m[1]!);
		if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m[1]! + s);
		if (m[2] === 'summary') for (const s of ['_sum', '_count']) names.add(m[1]! + s);
	}
	return names;
}

test('recording functions move the values they should', async () => {
	const tenantId = '00000000-0000-4000-8000-000000000001';
	metrics.callPlaced(tenantId, 'ringing');
	metrics.callFinished(tenantId, 'ended', 'hung_up_by_kiosk');
	metrics.ringDelivered(tenantId, 0.02);
	metrics.streamOpened('concierge');
	metrics.streamOpened('concierge');
	metrics.streamClosed('concierge');
	metrics.jobFailed('calls.sweep', false);
	metrics.signInFailed('kiosk', true);
	const { body, contentType } = await metricsText('test');
	assert.match(contentType, 'text/plain');
	assert.match(body, 'concierge_calls_placed_total{start="ringing",tenant="customer",process="test"} 1');
	assert.match(body, 'concierge_calls_finished_total{state="ended",reason="hung_up_by_kiosk",tenant="customer",process="test"} 1');
	assert.match(body, /^concierge_ring_delivery_seconds_bucket\{(?=[^}]*le="0\.025")(?=[^}]*tenant="customer")[^}]*\} 1$/m);
	assert.match(body, 'concierge_event_streams_open{role="concierge",process="test"} 1');
	assert.match(body, 'concierge_jobs_failed_total{job="calls.sweep",outcome="retry",process="test"} 1');
	assert.match(body, 'concierge_signin_lockouts_total{app="kiosk",process="test"} 1');
	assert.ok(registry.getSingleMetric('concierge_call_setup_seconds'));
});

test('every concierge_* metric in the dashboard and the alert rules exists', async () => {
	const names = await exported();
	const files = ['infra/monitoring/alerts.yml', 'infra/monitoring/grafana-dashboard.json'];
	let used = 0;
	for (const f of files) {
		const text = readFileSync(root + f, 'utf8');
		for (const m of text.matchAll(/\bconcierge_[a-z0-9_]+/g)) {
			used++;
			assert.ok(names.has(m[0]), `${f} uses ${m[0]}, which platform/metrics.ts does not export`);
		}
	}
	assert.ok(used > 20, 'the files do use the metrics');
	const dash = JSON.parse(readFileSync(root + 'infra/monitoring/grafana-dashboard.json', 'utf8')) as { panels: { targets: { expr: string }[] }[] };
	assert.ok(dash.panels.length >= 10);
	for (const alert of ['NoConciergeAvailable', 'RingLatencyHigh', 'JobsFailing', 'LiveKitUnreachable'])
		assert.match(readFileSync(root + 'infra/monitoring/alerts.yml', 'utf8'), `alert: ${alert}`);
});

test.run();
