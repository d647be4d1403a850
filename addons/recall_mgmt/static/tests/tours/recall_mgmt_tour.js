import { registry } from "@web/core/registry";

/**
 * A quality manager opens a recall from a hospital's complaint: the recall starts with the
 * ticket's lot, she names it and gives the reason, analyses the impact (the distributor that
 * received the lot), approves it with her electronic signature (password re-entered), sees
 * our own stock quarantined, sends the notice, and the dashboard counts the consignee
 * notified. Runs on the complaint ticket (the test opens it); the signer's password is the
 * test user's login.
 */
registry.category("web_tour.tours").add("recall_mgmt_open_recall_from_complaint", {
    steps: () => [
        {
            content: "The complaint names the lot",
            trigger: ".o_form_view .o_field_widget[name=trace_lot_id] input:value(TOURRC1)",
        },
        {
            content: "Open a recall from the complaint",
            trigger: ".o_form_view button[name=action_open_recall]",
            run: "click",
        },
        {
            content: "The new recall comes from the complaint",
            trigger: ".o_form_view .o_field_widget[name=ticket_id] input:value(Tour: catheter hub cracked)",
        },
        {
            content: "Name the recall",
            trigger: ".o_form_view .o_field_widget[name=title] input",
            run: "edit Tour: catheter hub may crack",
        },
        {
            content: "Open the reason",
            trigger: ".o_notebook .nav-link:contains(Reason and Risk)",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".o_form_view .o_field_widget[name=reason] textarea",
            run: "edit Hub cracks under pressure above 300 psi (tour complaint).",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved with its reference",
            trigger: ".o_form_view .o_field_widget[name=name]:contains(RC/)",
        },
        {
            content: "Open the scope",
            trigger: ".o_notebook .nav-link:contains(Scope)",
            run: "click",
        },
        {
            content: "The ticket's lot is in scope",
            trigger: ".o_form_view .o_field_widget[name=lot_ids]:contains(TOURRC1)",
        },
        {
            content: "Analyse the impact",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_analyze_impact]:contains(Analyse Impact)",
            run: "click",
        },
        {
            content: "The impact is analysed",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Impact Analysed)",
        },
        {
            content: "Open the impact",
            trigger: ".o_notebook .nav-link:contains(Impact)",
            run: "click",
        },
        {
            content: "The distributor that received the lot is listed",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(Huadong Medical Distribution Co.):contains(TOURRC1)",
        },
        {
            content: "and so is our own stock",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(Own stock)",
        },
        {
            content: "Approve and sign",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_approve]",
            run: "click",
        },
        {
            content: "The signature dialog says what is signed",
            trigger: ".modal .o_field_widget[name=meaning_text]:contains(Approval of the recall decision)",
        },
        {
            content: "Re-enter the password",
            trigger: ".modal .o_field_widget[name=password] input",
            run: "edit tour_recall_qm",
        },
        {
            content: "Sign",
            trigger: ".modal button[name=action_sign]",
            run: "click",
        },
        {
            content: "The recall is approved",
            trigger: ".o_form_view:not(:has(.modal)) .o_statusbar_status .o_arrow_button_current:contains(Approved)",
        },
        {
            content: "Open the quarantine",
            trigger: ".o_notebook .nav-link:contains(Quarantine)",
            run: "click",
        },
        {
            content: "The lot in our stock is blocked",
            trigger: ".o_field_widget[name=quarantine_ids] .o_data_row:contains(TOURRC1):contains(Blocked)",
        },
        {
            content: "The regulatory clock runs",
            trigger: "div[name=dashboard_clocks] .o_field_widget[name=next_deadline_countdown]:contains(left)",
        },
        {
            content: "Send the notices",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_notify]:contains(Send Notices)",
            run: "click",
        },
        {
            content: "The recall is notified",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Notified)",
        },
        {
            content: "The notice waits for the mail server: sent is not yet notified",
            trigger: "div[name=dashboard_consignees] .o_recall_figure:contains(0 / 1 notified)",
        },
        {
            content: "and its units shipped",
            trigger: "div[name=dashboard_units] .o_field_widget[name=units_shipped]:contains(15)",
        },
    ],
});
