import { registry } from "@web/core/registry";

/**
 * From a lot received and partly shipped to a distributor: the lot form counts its events, the
 * Events button shows its history, Trace opens the tree, expanding the lot shows the
 * distributor with what it holds and our own stock; the backward trace names the supplier.
 * Runs on the lot form (the test opens it) as a quality manager or a trace clerk.
 */
registry.category("web_tour.tours").add("trace_events_trace_tree", {
    steps: () => [
        {
            content: "The lot form counts its two events (receipt, shipment)",
            trigger: "button[name=action_view_trace_events] .o_stat_value:contains(2)",
        },
        {
            content: "Open the history of the lot",
            trigger: "button[name=action_view_trace_events]",
            run: "click",
        },
        {
            content: "The history starts with the receipt from the supplier",
            trigger:
                ".o_list_view .o_data_row:first-child:contains(Receiving):contains(Shenzhen Catheter Components Ltd.)",
        },
        {
            content: "and ends with the shipment to the distributor",
            trigger:
                ".o_list_view .o_data_row:last-child:contains(Shipping):contains(Huadong Medical Distribution Co.)",
        },
        {
            content: "Back to the lot",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(TOURCATH1)",
            run: "click",
        },
        {
            content: "Trace the lot",
            trigger: ".o_form_view button[name=action_open_trace_tree]",
            run: "click",
        },
        {
            content: "The trace tree shows the lot as root, forward",
            trigger:
                ".o_trace_tree:has(.o_trace_tree_forward.active) .o_trace_tree_root:contains(TOURCATH1)",
        },
        {
            content: "The summary counts one partner holding some",
            trigger: ".o_trace_tree_stat[data-stat=partners] .fs-3:contains(1)",
        },
        {
            content: "The lot opens by itself on who holds it",
            trigger: ".o_trace_tree_root.o_trace_tree_expanded:contains(TOURCATH1)",
        },
        {
            content: "The distributor holds the 12 units shipped to it",
            trigger:
                ".o_trace_tree_holder[data-holder-type=partner]:contains(Huadong Medical Distribution Co.) .o_trace_tree_holder_qty:contains(12)",
        },
        {
            content: "and the shipping document is listed",
            trigger:
                ".o_trace_tree_holder[data-holder-type=partner] .o_trace_tree_document:contains(OUT)",
        },
        {
            content: "Our stock holds the other 18",
            trigger:
                ".o_trace_tree_holder[data-holder-type=location] .o_trace_tree_holder_qty:contains(18)",
        },
        {
            content: "Find the lot in the tree",
            trigger: ".o_trace_tree .o_trace_tree_filter",
            run: "edit TOURCATH",
        },
        {
            content: "It is found and highlighted",
            trigger: ".o_trace_tree_root.o_trace_tree_match:contains(TOURCATH1)",
        },
        {
            content: "Trace backward",
            trigger: ".o_trace_tree .o_trace_tree_backward",
            run: "click",
        },
        {
            content: "Backward trace shown",
            trigger: ".o_trace_tree .o_trace_tree_backward.active",
        },
        {
            content: "The lot opens by itself on where it came from",
            trigger: ".o_trace_tree_root.o_trace_tree_expanded:contains(TOURCATH1)",
        },
        {
            content: "It came from the supplier",
            trigger: ".o_trace_tree_source:contains(Shenzhen Catheter Components Ltd.):contains(30)",
        },
        {
            content: "Open the distributor from the tree",
            trigger:
                ".o_trace_tree_holder[data-holder-type=partner] .o_trace_tree_holder_name:contains(Huadong Medical Distribution Co.)",
            run: "click",
        },
        {
            content: "The distributor's form is open",
            trigger: ".o_form_view .o_field_widget[name=name]:contains(Huadong Medical Distribution Co.), .o_form_view .o_field_widget[name=name] input:value(Huadong Medical Distribution Co.)",
        },
    ],
});

/**
 * Traceability > Trace > Holdings: where the lot is now. Opens on "Held now"; the distributor
 * holds the 12 units shipped to it and the rest is in our stock; "At partners" keeps the
 * distributor only.
 */
registry.category("web_tour.tours").add("trace_events_holdings", {
    steps: () => [
        {
            content: "The distributor holds the 12 units shipped to it, with the shipment",
            trigger:
                ".o_list_view .o_data_row:contains(TOURCATH1):contains(Huadong Medical Distribution Co.):contains(12.00):contains(WH/OUT/)",
        },
        {
            content: "and the other 18 are in our own stock",
            trigger: ".o_list_view .o_data_row:contains(TOURCATH1):contains(Own location):contains(18.00)",
        },
        {
            content: "Open the filters",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Keep what is at partners",
            trigger: ".o_filter_menu .o-dropdown-item:contains(At partners)",
            run: "click",
        },
        {
            content: "Only the distributor's row of the lot is left",
            trigger:
                ".o_list_view:not(:has(.o_data_row:contains(TOURCATH1):contains(Own location))) .o_data_row:contains(TOURCATH1):contains(Huadong Medical Distribution Co.)",
        },
    ],
});
