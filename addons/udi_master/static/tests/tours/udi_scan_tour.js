import { registry } from "@web/core/registry";

/**
 * A warehouse clerk receives catheters: in the move's detailed operations she scans the GS1
 * DataMatrix of a carton; lot and expiry are filled from the scan, and validating the receipt
 * creates the lot with its production identifier.
 */
registry.category("web_tour.tours").add("udi_master_scan_receipt", {
    steps: () => [
        {
            content: "Open the detailed operations of the catheter move",
            trigger: ".o_field_widget[name=move_ids] button[name=action_show_details]",
            run: "click",
        },
        {
            content: "Add a line",
            trigger: ".modal .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Scan the DataMatrix",
            trigger: ".modal .o_data_row .o_field_widget[name=udi_scan] input",
            run: "edit ]d20106901234567892112504011727033110TOURLOT1",
        },
        {
            content: "Leave the field, as the scanner's Enter does",
            trigger: ".modal .modal-title",
            run: "click",
        },
        {
            content: "The lot is filled from the scan",
            trigger: ".modal .o_data_row .o_field_widget[name=lot_name] input:value(TOURLOT1)",
        },
        {
            content: "Open the quantity",
            trigger: ".modal .o_data_row .o_data_cell[name=quantity]",
            run: "click",
        },
        {
            content: "Ten units in the carton",
            trigger: ".modal .o_data_row .o_field_widget[name=quantity] input",
            run: "edit 10",
        },
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
    ],
});
