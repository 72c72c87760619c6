import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hoursProblems, isOpen, validTimeZone } from './hours.ts';

const week = { '1': ['09:00', '18:00'], '2': ['09:00', '18:00'] } as Record<string, [string, string]>;

test('open inside the hours of the day in the tenant time zone, closed outside, on other days and on holidays', () => {
	const p = { timeZone: 'Asia/Tokyo', businessHours: week, holidays: ['2026-11-24'] };
	assert.ok(isOpen(p, new Date('2026-11-23T00:00:00Z')), 'Monday 09:00 JST');
	assert.not.ok(isOpen(p, new Date('2026-11-22T23:59:00Z')), 'Monday 08:59 JST');
	assert.not.ok(isOpen(p, new Date('2026-11-23T09:00:00Z')), 'Monday 18:00 JST');
	assert.not.ok(isOpen(p, new Date('2026-11-24T03:00:00Z')), 'Tuesday is a holiday');
	assert.not.ok(isOpen(p, new Date('2026-11-25T03:00:00Z')), 'Wednesday has no hours');
	assert.ok(isOpen({ ...p, businessHours: {} }, new Date('2026-11-25T03:00:00Z')), 'no hours: always open');
});

test('hoursProblems and validTimeZone', () => {
	assert.equal(hoursProblems(week), []);
	assert.is(hoursProblems({ '7': ['09:00', '10:00'] }).length, 1);
	assert.is(hoursProblems({ '1': ['9:00', '10:00'] }).length, 1);
	assert.is(hoursProblems({ '1': ['18:00', '09:00'] }).length, 1);
	assert.ok(validTimeZone('Europe/London'));
	assert.not.ok(validTimeZone('Mars/Base'));
});

test.run();
