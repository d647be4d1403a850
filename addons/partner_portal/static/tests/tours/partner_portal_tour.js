import { registry } from "@web/core/registry";

/**
 * A distributor opens its recall notice from the portal home, acknowledges it with its
 * electronic signature (password re-entry) and reports what became of its units.
 */
registry.category("web_tour.tours").add("partner_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the recalls from the portal home",
            trigger: ".o_portal_index_card a[href='/my/recalls']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the notice",
            trigger: "a.o_recall_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The signer and the meaning of the signature are shown",
            trigger: ".o_recall_acknowledge_form .o_recall_meaning:not(:empty)",
        },
        {
            content: "Confirm having read the notice",
            trigger: "#recall_confirm",
            run: "click",
        },
        {
            content: "Re-enter the password to sign",
            trigger: "#recall_password",
            run: "edit dist-a-password",
        },
        {
            content: "Sign and acknowledge",
            trigger: "button.o_recall_sign",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The acknowledgement is recorded",
            trigger: ".o_recall_acknowledged",
        },
        {
            content: "Report the units on hand",
            trigger: "tr.o_recall_unit[data-lot='RC-L1'] input[name^='qty_on_hand-']",
            run: "edit 10",
        },
        {
            content: "Report the units destroyed",
            trigger: "tr.o_recall_unit[data-lot='RC-L1'] input[name^='qty_destroyed-']",
            run: "edit 20",
        },
        {
            content: "Record the quantities",
            trigger: "button.o_recall_report_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The quantities are recorded",
            trigger: ".o_recall_message",
        },
        {
            content: "Every unit is accounted for",
            trigger: ".o_recall_located:contains('30')",
        },
    ],
});
