/**
 * Screens over the standby page that a reload for a new release must not pull away
 * from under someone (the standby page's reload policy reads them; issue 10, item 7).
 * The staff menu is the page's own state; the problem-report dialog lives in the layout.
 */
export const overlays = $state({ report: false });
