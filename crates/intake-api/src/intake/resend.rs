//! The answer to an intake save sent again under a key already kept (its first try was
//! saved, only the acknowledgement was lost): what was saved, nothing written twice.

use intake_core::questionnaire::response::{evaluate, FormIndex};
use intake_core::{AnswerSource, EncounterId};

use crate::record::answers::response_of;
use crate::record::problems::{changes_since_in, disabled, problems};
use crate::wire::intake::{ChangeDto, SavedDto};
use crate::{Api, ApiError};

impl Api {
    /// The answer to a save sent again (its receipt kept at `at`): the sent keys'
    /// answers and the calculated ones as they are now, nothing written.
    pub(super) fn resent(
        &self,
        db: &intake_store::Db<'_>,
        id: EncounterId,
        who: &crate::Principal,
        changes: &[ChangeDto],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<SavedDto, ApiError> {
        let e = self.encounter_row(db, id)?;
        let q = self.form(db, e.template_id)?;
        let index = FormIndex::new(&q.items);
        let after = db.answers(id)?;
        let sent: Vec<&str> = changes.iter().map(|c| c.key.as_str()).collect();
        let eval = evaluate(&index, &response_of(&after));
        let answers = self.answer_dtos(
            db,
            after.iter().filter(|a| {
                a.source == AnswerSource::Calculated || sent.contains(&a.key.to_string().as_str())
            }),
        )?;
        let removed = sent
            .iter()
            .filter(|k| !after.iter().any(|a| a.key.to_string() == **k))
            .map(|k| k.to_string())
            .collect();
        Ok(SavedDto {
            saved_at: intake_store::format_time(at),
            answers,
            removed,
            disabled: disabled(&eval),
            problems: problems(&eval, &after, &index, &crate::clock::ClinicDays::read(db)?),
            encounter: self.dto(db, &e, who)?,
            changes: changes_since_in(db, id, &after)?,
        })
    }
}
