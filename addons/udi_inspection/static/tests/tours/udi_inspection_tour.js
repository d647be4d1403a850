import { registry } from "@web/core/registry";

/**
 * Incoming inspection in the browser (ISO 13485 7.4.3): a warehouse clerk receives a purchase
 * of catheters by scanning the label of each lot into the receipt (lots TOURA and TOURB), then
 * scans the labels again at the inspection bench and records the visual checks; the inspector
 * releases lot TOURA and rejects lot TOURB with an electronic signature. The tests open the
 * receipt and the inspections; the signer's password is the inspector's login.
 */
const TOURA = "]d201069012345678921730123110TOURA";
const TOURB = "]d201069012345678921730123110TOURB";

function scanIntoReceipt(code, quantity) {
    return [
        {
            content: "Add a line",
            trigger: ".modal .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Scan the label",
            trigger: ".modal .o_data_row.o_selected_row:not(:has(.o_field_widget[name=lot_name] input:value(TOUR))) .o_field_widget[name=udi_scan] input",
            run: `edit ${code}`,
        },
        {
            content: "Leave the field, as the scanner's Enter does",
            trigger: ".modal .modal-title",
            run: "click",
        },
        {
            content: "The lot is filled from the scan",
            trigger: `.modal .o_data_row .o_field_widget[name=lot_name] input:value(${code.slice(-5)}), .modal .o_data_row .o_data_cell[name=lot_name]:contains(${code.slice(-5)})`,
        },
        {
            content: "Open the quantity",
            trigger: `.modal .o_data_row:not(.o_selected_row):contains(${code.slice(-5)}) .o_data_cell[name=quantity]`,
            run: "click",
        },
        {
            content: "Units in the carton",
            trigger: ".modal .o_data_row.o_selected_row .o_field_widget[name=quantity] input",
            run: `edit ${quantity}`,
        },
        {
            content: "Done with this carton",
            trigger: ".modal .modal-title",
            run: "click",
        },
        {
            content: "The carton's line is recorded",
            trigger: `.modal .o_data_row:not(.o_selected_row):contains(${code.slice(-5)}):contains(${quantity}.00)`,
        },
    ];
}

registry.category("web_tour.tours").add("udi_inspection_receive", {
    steps: () => [
        {
            content: "Open the detailed operations of the catheter move",
            trigger: ".o_field_widget[name=move_ids] button[name=action_show_details]",
            run: "click",
        },
        ...scanIntoReceipt(TOURA, 6),
        ...scanIntoReceipt(TOURB, 4),
        {
            content: "Save the detailed operations",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Validate the receipt",
            trigger: ".o_form_view:not(:has(.modal)) button[name=button_validate]",
            run: "click",
        },
        {
            content: "The receipt is done",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Done')",
        },
        {
            content: "The receipt shows its two inspections",
            trigger: ".o_stat_text:contains(Inspections)",
            run: "click",
        },
        {
            content: "Both lots wait for inspection",
            trigger: ".o_list_view .o_data_row:contains(TOURA):contains(To inspect)",
        },
        {
            content: "... lot TOURB too",
            trigger: ".o_list_view .o_data_row:contains(TOURB):contains(To inspect)",
        },
    ],
});

function recordCheck(label, button, result) {
    return [
        {
            content: `${label}: ${button}`,
            trigger: `.o_field_widget[name=check_ids] .o_data_row:contains(${label}) button[name=${button}]`,
            run: "click",
        },
        {
            content: `${label} recorded`,
            trigger: `.o_field_widget[name=check_ids] .o_data_row:contains(${label}) .o_data_cell[name=result]:contains(${result})`,
        },
    ];
}

registry.category("web_tour.tours").add("udi_inspection_check_lot_a", {
    steps: () => [
        {
            content: "Scan the label at the inspection bench",
            trigger: ".o_form_view .o_field_widget[name=udi_scan] input",
            run: `edit ${TOURA}`,
        },
        {
            content: "Check the scan",
            trigger: ".o_form_view button[name=action_check_scan]",
            run: "click",
        },
        {
            content: "The automatic checks passed",
            trigger: ".o_field_widget[name=check_ids] .o_data_row:contains(Scanned UDI-DI matches the purchased device) .o_data_cell[name=result]:contains(Pass)",
        },
        ...recordCheck("Quantity received matches", "action_pass", "Pass"),
        ...recordCheck("Packaging intact", "action_pass", "Pass"),
        ...recordCheck("Label legible", "action_pass", "Pass"),
        ...recordCheck("Certificate of conformity", "action_pass", "Pass"),
        {
            content: "Every check passed",
            trigger: ".o_field_widget[name=check_summary]:contains(10/10 done, 0 failed)",
        },
    ],
});

registry.category("web_tour.tours").add("udi_inspection_check_lot_b", {
    steps: () => [
        {
            content: "Scan the label at the inspection bench",
            trigger: ".o_form_view .o_field_widget[name=udi_scan] input",
            run: `edit ${TOURB}`,
        },
        {
            content: "Check the scan",
            trigger: ".o_form_view button[name=action_check_scan]",
            run: "click",
        },
        {
            content: "The automatic checks ran",
            trigger: ".o_field_widget[name=check_ids] .o_data_row:contains(Lot/serial matches the received lot) .o_data_cell[name=result]:contains(Pass)",
        },
        ...recordCheck("Packaging intact", "action_fail", "Fail"),
        {
            content: "The failure is counted",
            trigger: ".o_field_widget[name=check_summary]:contains(1 failed)",
        },
    ],
});

function sign(password) {
    return [
        {
            content: "Re-enter the password",
            trigger: ".modal .o_field_widget[name=password] input",
            run: `edit ${password}`,
        },
        {
            content: "Sign",
            trigger: ".modal button[name=action_sign]",
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("udi_inspection_decide", {
    steps: () => [
        {
            content: "Open the receipt's inspections",
            trigger: ".o_notebook .nav-link:contains(Inspections)",
            run: "click",
        },
        {
            content: "Release lot TOURA",
            trigger: ".o_field_widget[name=udi_inspection_ids] .o_data_row:contains(TOURA) button[name=action_release]",
            run: "click",
        },
        {
            content: "The dialog says what is signed",
            trigger: ".modal .o_field_widget[name=meaning_text]:contains(Release of received stock)",
        },
        ...sign("iqc_tour_inspector"),
        {
            content: "Lot TOURA is released",
            trigger: ".o_form_view:not(:has(.modal)) .o_field_widget[name=udi_inspection_ids] .o_data_row:contains(TOURA):contains(Released)",
        },
        {
            content: "Reject lot TOURB",
            trigger: ".o_field_widget[name=udi_inspection_ids] .o_data_row:contains(TOURB) button[name=action_reject]",
            run: "click",
        },
        {
            content: "The dialog says what is signed",
            trigger: ".modal .o_field_widget[name=meaning_text]:contains(Rejection of received stock)",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Two cartons crushed, sterile barrier open (tour).",
        },
        ...sign("iqc_tour_inspector"),
        {
            content: "Lot TOURB is rejected",
            trigger: ".o_form_view:not(:has(.modal)) .o_field_widget[name=udi_inspection_ids] .o_data_row:contains(TOURB):contains(Rejected)",
        },
    ],
});
