import { registry } from "@web/core/registry";

/**
 * From a complaint to a filed vigilance report, in the browser: the quality manager assesses
 * the complaint as a reportable malfunction to the EU (electronic signature), opens the EU
 * report, gives the event date, submits it for review, approves it (signature), issues it and
 * records its filing with the regulator's reference. The signer's password is the login.
 */
const LOGIN = "tour_vig_qm";

function sign() {
    return [
        {
            content: "Type the password to sign",
            trigger: ".modal .o_field_widget[name=password] input",
            run: `edit ${LOGIN}`,
        },
        {
            content: "Sign",
            trigger: ".modal button[name=action_sign]",
            run: "click",
        },
    ];
}

function stateIs(label) {
    return {
        content: `The report is ${label}`,
        trigger: `.o_form_view:not(:has(.modal)) .o_statusbar_status .o_arrow_button_current:contains('${label}')`,
    };
}

registry.category("web_tour.tours").add("vigilance_mgmt_complaint_to_filed_report", {
    steps: () => [
        {
            content: "Assess the complaint for vigilance",
            trigger: ".o_form_view button[name=action_vigilance_assess]",
            run: "click",
        },
        {
            content: "The event is reportable",
            trigger: ".modal .o_field_widget[name=reportable] input",
            run: "click",
        },
        {
            // wait for the answer of the change: a slow machine re-renders the dialog meanwhile,
            // and a choice made in the old one is lost (seen in CI: Severity left empty)
            content: "The summary says reportable",
            trigger: ".modal .o_field_widget[name=summary]:contains(Reportable)",
        },
        {
            content: "Open the severities",
            trigger: ".modal .o_field_widget[name=severity] input",
            run: "click",
        },
        {
            content: "A malfunction that could cause a serious injury",
            trigger: ".o_select_menu_item:contains(Malfunction)",
            run: "click",
        },
        {
            content: "The severity is taken (the summary names it)",
            trigger: ".modal .o_field_widget[name=summary]:contains(Malfunction)",
        },
        {
            content: "Why",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Hub cracked under pressure: could lead to air embolism if it recurred.",
        },
        {
            content: "Report to the EU",
            trigger: ".modal .o_field_widget[name=jurisdiction_ids] input",
            run: "edit European",
        },
        {
            content: "Pick the EU",
            trigger:
                ".o-autocomplete--dropdown-item:contains(European Union), .ui-autocomplete .dropdown-item:contains(European Union)",
            run: "click",
        },
        ...sign(),
        {
            content: "Open the vigilance reports of the complaint",
            trigger: ".o_form_view:not(:has(.modal)) button[name=action_view_vigilance_reports]",
            run: "click",
        },
        {
            content: "Open the EU report",
            trigger: ".o_list_view .o_data_row:contains(European Union) .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "Give the event date",
            trigger: ".o_form_view .o_field_widget[name=event_date] input",
            run: "edit 12/01/2026",
        },
        {
            content: "Open the investigation",
            trigger: ".o_form_view .o_notebook a.nav-link[name=investigation]",
            run: "click",
        },
        {
            content: "Give the preliminary analysis (the MIR asks for it)",
            trigger: ".o_form_view .o_field_widget[name=root_cause] textarea",
            run: "edit Preliminary: the returned hub is under investigation.",
        },
        {
            content: "Open the regulatory form data",
            trigger: ".o_form_view .o_notebook a.nav-link[name=regulatory_forms]",
            run: "click",
        },
        {
            content: "Country of the event",
            trigger: ".o_form_view .o_field_widget[name=form_event_country_id] input",
            run: "edit Germany",
        },
        {
            content: "Pick Germany",
            trigger:
                ".o-autocomplete--dropdown-item:contains(Germany), .ui-autocomplete .dropdown-item:contains(Germany)",
            run: "click",
        },
        {
            content: "IMDRF device problem code",
            trigger: ".o_form_view .o_field_widget[name=form_device_problem_code] input",
            run: "edit A0401",
        },
        {
            content: "Submit for review (saves the report)",
            trigger: ".o_form_view button[name=action_submit_review]",
            run: "click",
        },
        stateIs("In review"),
        {
            content: "Approve",
            trigger: ".o_form_view button[name=action_approve]",
            run: "click",
        },
        ...sign(),
        stateIs("Approved"),
        {
            content: "Issue",
            trigger: ".o_form_view button[name=action_issue]",
            run: "click",
        },
        stateIs("Issued"),
        {
            content: "Record the filing",
            trigger: ".o_form_view button[name=action_file]",
            run: "click",
        },
        {
            content: "The regulator's reference",
            trigger: ".modal .o_field_widget[name=regulator_reference] input",
            run: "edit EU-MIR-TOUR-1",
        },
        {
            content: "Record",
            trigger: ".modal button[name=action_file]",
            run: "click",
        },
        stateIs("Filed"),
    ],
});
