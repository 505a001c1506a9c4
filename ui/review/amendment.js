// What an amendment changes, for the review screen: the answers of the record now
// (during an amendment) or of the newest amended version, against the version signed
// before it. Only for showing: which answers differ is read from two sets of answers
// the backend gave (`record_version`), nothing is decided here.
//
// `amendmentChanges(before, after)` -> Map key -> `{ before, after }` (values, [] when
// none); `createAmendmentPanel()` lists them (#review-amendment-changes).

import { h, replaceChildren } from '../shared/dom.js';
import { buildSections, describeKey, indexForm, sameValues, splitKey } from '../intake/model.js';
import { answerText } from './format.js';

function shownAnswers(answers) {
  return new Map((answers || []).filter((a) => a.inRecord !== false && a.values?.length).map((a) => [a.key, a.values]));
}

/** The keys whose values differ between two versions of one record. */
export function amendmentChanges(before, after) {
  const was = shownAnswers(before);
  const now = shownAnswers(after);
  const out = new Map();
  for (const key of new Set([...was.keys(), ...now.keys()])) {
    const b = was.get(key) || [];
    const a = now.get(key) || [];
    if (!sameValues(b, a)) out.set(key, { before: b, after: a });
  }
  return out;
}

/** "was 60 kg" / "was not answered" for an answer the amendment changed. */
export function wasText(item, change) {
  const before = answerText(item, change.before);
  return before ? `was ${before}` : 'was not answered';
}

export function createAmendmentPanel() {
  const heading = h('h2', { id: 'review-amendment-title' });
  const list = h('ul', { class: 'rv-amendment-list' });
  const el = h('section', { id: 'review-amendment-changes', class: 'panel rv-amendment', hidden: true,
    'aria-labelledby': 'review-amendment-title' }, heading, list);
  return {
    el,
    /** `changes` from amendmentChanges; `inProgress`: the amendment is not signed yet. */
    show(review, changes, { inProgress = false, version = null } = {}) {
      if (!changes) {
        el.hidden = true;
        return;
      }
      heading.textContent = inProgress ? 'Changed by this amendment (not signed yet)'
        : `Changed by the amendment (version ${version})`;
      const sections = buildSections(review.form);
      const form = { sections, index: indexForm(review.form, sections),
        answers: new Map((review.answers || []).map((a) => [a.key, a])) };
      const rows = [...changes].filter(([key]) => form.index.get(splitKey(key).linkId));
      replaceChildren(list, rows.length ? rows.map(([key, c]) => {
        const item = form.index.get(splitKey(key).linkId);
        return h('li', { dataset: { key } }, h('span', { class: 'rv-amendment-what' }, describeKey(key, form)),
          h('span', { class: 'rv-amendment-detail' },
            `${answerText(item, c.before) || 'not answered'} → ${answerText(item, c.after) || 'not answered'}`));
      }) : h('li', { class: 'muted' }, inProgress ? 'Nothing changed yet.' : 'No answer changed.'));
      el.hidden = false;
    },
  };
}
