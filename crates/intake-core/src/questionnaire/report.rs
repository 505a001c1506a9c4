//! What an import did with each item, for the person importing the form.

/// How one item came through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutcome {
    /// Rendered, validated and saved as the form says.
    Supported,
    /// Usable, with the listed parts not working as the form intends.
    Degraded(Vec<String>),
    /// Not shown (for example hidden by the form); its answers are kept if present.
    Ignored(String),
}

/// One item's line in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemReport {
    pub link_id: String,
    pub text: Option<String>,
    pub outcome: ItemOutcome,
}

/// Every item, in form order, and the form-level notes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    pub items: Vec<ItemReport>,
    /// Notes about the form as a whole (ignored top-level extensions, variables).
    pub notes: Vec<String>,
}

impl ImportReport {
    pub fn count(&self, f: impl Fn(&ItemOutcome) -> bool) -> usize {
        self.items.iter().filter(|i| f(&i.outcome)).count()
    }

    /// "142 items: 120 supported, 20 degraded, 2 ignored."
    pub fn summary(&self) -> String {
        let supported = self.count(|o| matches!(o, ItemOutcome::Supported));
        let degraded = self.count(|o| matches!(o, ItemOutcome::Degraded(_)));
        let ignored = self.count(|o| matches!(o, ItemOutcome::Ignored(_)));
        format!(
            "{} items: {supported} supported, {degraded} degraded, {ignored} ignored.",
            self.items.len()
        )
    }
}
