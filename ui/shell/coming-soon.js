// Placeholder for sections that later versions fill (intake, review, exports).

import { h, pageScreen } from '../shared/dom.js';
import { sectionLabel } from './sections.js';

export function render({ section }) {
  const label = sectionLabel(section);
  return pageScreen(
    'coming-soon',
    { dataset: { section } },
    h('h1', {}, label),
    h('div', { class: 'panel empty-state' },
      h('p', { class: 'lead' }, `${label} — arrives in a later version.`),
      h('p', { class: 'muted' }, 'Nothing here yet. Use the links above to go elsewhere.')),
  );
}
