//! The users page (`/personal/anvandare`): inviting a member of staff with a role, the
//! districts an analyst or reporter is limited to and the organisation a reporter reports
//! for; the accounts, each with its role and whether it is disabled.

use maud::{Markup, html};

use super::staff::{layout, role_sv, scrolled};
use crate::auth::Staff;
use crate::role::Role;
use crate::store::{MAX_ORGANISATION_CHARS, StaffAccount};

pub fn users(
    s: &Staff,
    list: &[StaffAccount],
    districts: &[(String, String)],
    link: Option<(&str, &str)>,
) -> Markup {
    layout(
        "Användare",
        Some(s),
        html! {
            @if let Some((email, url)) = link {
                div.receipt role="status" {
                    p { "Skicka den här engångslänken till " (email) " så att hen kan välja lösenord (giltig i 72 timmar):" }
                    p { code { (url) } }
                }
            }
            h2 { "Bjud in" }
            form method="post" action="/personal/anvandare" {
                input type="hidden" name="csrf" value=(s.csrf);
                label for="email" { "E-post" }
                input #email type="text" name="email";
                label for="role" { "Roll" }
                // The least privileged role unless someone chooses more.
                select #role name="role" { @for r in Role::ALL { option value=(r.as_str()) selected[r == Role::Reader] { (role_sv(r)) } } }
                fieldset {
                    legend { "Områden (för analytiker och rapportörer; inget valt = alla)" }
                    @for (code, name) in districts {
                        div.option {
                            input id={ "d-" (code) } type="checkbox" name="district" value=(code);
                            label for={ "d-" (code) } { (name) }
                        }
                    }
                }
                label for="organisation" { "Organisation (krävs för rapportörer, visas med deras rapporter)" }
                input #organisation type="text" name="organisation" maxlength=(MAX_ORGANISATION_CHARS);
                button type="submit" { "Bjud in" }
            }
            h2 { "Konton" }
            (scrolled("Konton", html! { table {
                thead { tr { th { "E-post" } th { "Roll" } th { "Områden" } th { "Organisation" } th { "Status" } th { "Ändra" } } }
                tbody {
                    @for a in list {
                        tr {
                            td { (a.email) } td { (role_sv(a.role)) }
                            td { (a.districts.as_ref().map_or("alla".to_string(), |d| d.join(", "))) }
                            td { (a.organisation.as_deref().unwrap_or("–")) }
                            td { @if a.disabled { "avstängd" } @else if a.has_password { "aktiv" } @else { "inbjuden" } }
                            td {
                                form method="post" action={ "/personal/anvandare/" (a.id) } {
                                    input type="hidden" name="csrf" value=(s.csrf);
                                    label for={ "role-" (a.id) } { "Roll för " (a.email) }
                                    select id={ "role-" (a.id) } name="role" {
                                        @for r in Role::ALL { option value=(r.as_str()) selected[r == a.role] { (role_sv(r)) } }
                                    }
                                    label for={ "org-" (a.id) } { "Organisation för " (a.email) }
                                    input id={ "org-" (a.id) } type="text" name="organisation" maxlength=(MAX_ORGANISATION_CHARS) value=(a.organisation.as_deref().unwrap_or(""));
                                    div.option {
                                        input id={ "dis-" (a.id) } type="checkbox" name="disabled" value="1" checked[a.disabled];
                                        label for={ "dis-" (a.id) } { "Avstängd" }
                                    }
                                    button type="submit" { "Spara" }
                                }
                            }
                        }
                    }
                }
            } }))
        },
    )
}
