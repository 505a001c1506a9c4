// The review's word on the intake screen: a draft the physician returned shows their
// comment at the top (#intake-returned: "Returned by … at …: comment"), and an amendment
// in progress says what it is for (#intake-amending: "Amending: reason") with the way
// back to the review screen, where the amendment is signed (#intake-amending-review;
// Ctrl+Enter on the intake screen goes there too, instead of submitting).

import { h, replaceChildren } from '../shared/dom.js';
import { formatDateTime } from '../patients/fields.js';

/** `onReview()` leaves for the review screen (after saving what is typed). */
export function createReviewBanners({ onReview }) {
  const returned = h('div', { id: 'intake-returned', class: 'info-banner intake-returned', role: 'status', hidden: true });
  const reason = h('p', {});
  const toReview = h('button', { id: 'intake-amending-review', type: 'button', class: 'primary small',
    'aria-keyshortcuts': 'Control+Enter', on: { click: () => onReview() } }, 'Back to the review');
  const amending = h('div', { id: 'intake-amending', class: 'info-banner intake-amending', role: 'status', hidden: true },
    reason, toReview);

  return {
    returned,
    amending,
    /**
     * Shows what the encounter says: a return to the nurse, an amendment in progress;
     * `names` (review/format.js's `namesFrom`) names the people.
     */
    show(e, { person }) {
      const r = e.status === 'draft' ? e.returned : null;
      returned.hidden = !r;
      if (r) {
        replaceChildren(returned, h('strong', {}, 'Returned for changes'),
          `Returned by ${person(r.by)} at ${formatDateTime(r.at)}: `, h('span', { class: 'intake-returned-comment' }, r.comment));
      }
      const a = e.amending;
      amending.hidden = !a;
      toReview.hidden = e.readOnly;
      if (a) {
        replaceChildren(reason, h('strong', {}, `Amending: ${a.reason}`),
          `Started ${formatDateTime(a.since)} by ${person(a.by)}. The changes are signed on the review screen.`);
      }
    },
  };
}
