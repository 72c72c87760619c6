import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { metricsAuthorized } from './health.ts';

test('the metrics token is a bearer token, compared exactly', () => {
	const token = 'a-metrics-token-of-some-length';
	assert.ok(metricsAuthorized(`Bearer ${token}`, token));
	assert.ok(metricsAuthorized(`bearer ${token}`, token));
	assert.not.ok(metricsAuthorized(null, token));
	assert.not.ok(metricsAuthorized('', token));
	assert.not.ok(metricsAuthorized(`Bearer ${token}x`, token));
	assert.not.ok(metricsAuthorized(`Bearer ${token.slice(1)}`, token));
	assert.not.ok(metricsAuthorized(`Basic ${token}`, token));
	assert.not.ok(metricsAuthorized(`Bearer ${token} extra`, token));
	assert.not.ok(metricsAuthorized(`Bearer ${token}`, null), 'no configured token: nobody gets in');
	assert.not.ok(metricsAuthorized('Bearer ', ''));
});

test.run();
