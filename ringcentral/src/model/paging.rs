//! List paging (SPEC `EnumeratedPagingModel`, `PageNavigationModel`).

use serde::Deserialize;

/// `paging` of a list response. All numbers are counts (page numbers are 1-based,
/// `pageStart`/`pageEnd` are 0-based record indexes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    /// Current page number, 1-based.
    pub page: Option<i64>,
    /// Total number of pages.
    pub total_pages: Option<i64>,
    /// Records per page.
    pub per_page: Option<i64>,
    /// Total number of records.
    pub total_elements: Option<i64>,
    /// Index of the first record on this page, 0-based.
    pub page_start: Option<i64>,
    /// Index of the last record on this page, 0-based.
    pub page_end: Option<i64>,
}

/// A link of [`Navigation`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NavigationLink {
    /// Absolute URI of the page.
    pub uri: String,
}

/// `navigation` of a list response: links to the first, next, previous and last pages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Navigation {
    /// First page.
    pub first_page: Option<NavigationLink>,
    /// Next page; absent on the last page.
    pub next_page: Option<NavigationLink>,
    /// Previous page; absent on the first page.
    pub previous_page: Option<NavigationLink>,
    /// Last page.
    pub last_page: Option<NavigationLink>,
}

/// One page of a list: `{uri, records[], paging, navigation}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// URI of this page.
    pub uri: Option<String>,
    /// The records on this page.
    #[serde(default = "Vec::new")]
    pub records: Vec<T>,
    /// Paging counters.
    pub paging: Option<Paging>,
    /// Links to other pages.
    pub navigation: Option<Navigation>,
}

impl<T> Page<T> {
    /// True when another page follows: `navigation.nextPage` is present, or
    /// `paging.page < paging.totalPages`.
    pub fn has_next_page(&self) -> bool {
        let by_link = self
            .navigation
            .as_ref()
            .is_some_and(|n| n.next_page.is_some());
        let by_count = self.paging.as_ref().is_some_and(
            |p| matches!((p.page, p.total_pages), (Some(page), Some(total)) if page < total),
        );
        by_link || by_count
    }
}
