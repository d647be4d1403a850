import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * A quality manager registers a device from the Traceability app: the UDI tab, a DI with a bad
 * check digit refused with its reason, then the corrected DI saved as GTIN-14.
 */
registry.category("web_tour.tours").add("udi_master_register_device", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Traceability app",
            trigger: ".o_app[data-menu-xmlid='udi_master.menu_traceability_root']",
            run: "click",
        },
        {
            content: "Open Master Data",
            trigger: ".o_menu_sections button:contains('Master Data'), .o_menu_sections a:contains('Master Data')",
            run: "click",
        },
        {
            content: "Open Devices",
            trigger: ".dropdown-item:contains('Devices')",
            run: "click",
        },
        {
            content: "Create a device",
            trigger: ".o_control_panel_main_buttons .o-kanban-button-new, .o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] textarea, .o_field_widget[name=name] input",
            run: "edit Tour bone screw 4.5 mm",
        },
        {
            content: "Open the UDI tab",
            trigger: ".o_notebook .nav-link:contains('UDI')",
            run: "click",
        },
        {
            content: "Add a packaging level",
            trigger: ".o_field_widget[name=udi_di_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Type a GTIN with a wrong check digit",
            trigger: ".o_field_widget[name=udi_di_ids] .o_data_row .o_field_widget[name=di] input",
            run: "edit 6901234567008",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The reason is shown",
            trigger: ".modal .modal-body:contains('Invalid GTIN check digit')",
        },
        {
            content: "Close the error",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Correct the GTIN",
            trigger: ".o_field_widget[name=udi_di_ids] .o_data_row .o_data_cell[name=di]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=udi_di_ids] .o_data_row .o_field_widget[name=di] input",
            run: "edit 6901234567007",
        },
        {
            content: "Save again",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved, and the primary DI is the GTIN-14",
            trigger: ".o_form_saved .o_field_widget[name=udi_primary_di]:contains('06901234567007'), .o_field_widget[name=udi_primary_di]:contains('06901234567007')",
        },
    ],
});
