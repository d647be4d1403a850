import { registry } from "@web/core/registry";

/**
 * A hospital's contact records an implantation by scanning the pacemaker's UDI, then opens the
 * recall notice of another implanted pacemaker, acknowledges it with its electronic signature
 * and reports that the patient was notified.
 */
registry.category("web_tour.tours").add("implant_registry_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the implants from the portal home",
            trigger: ".o_portal_index_card a[href='/my/implants']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Record an implantation",
            trigger: "a.o_implant_new",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Scan the UDI of the unit (the scanner sends the GS1 element string)",
            trigger: "#implant_udi",
            run: "edit 010690123450001121PM-003",
        },
        {
            content: "The date of the operation is today by default",
            trigger: "#implant_date:value",
        },
        {
            content: "The implanting physician",
            trigger: "#implant_physician",
            run: "edit Dr. Liu Yang",
        },
        {
            content: "The patient's pseudonym chosen by the hospital",
            trigger: "#implant_patient",
            run: "edit RJ-2026-0031",
        },
        {
            content: "Record it",
            trigger: "button.o_implant_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The implantation is recorded, with the patient ID",
            trigger: ".o_implant_message",
        },
        {
            content: "The patient ID reads back",
            trigger: ".o_implant_patient:contains('RJ-2026-0031')",
        },
        {
            content: "Back to the portal home",
            trigger: ".o_portal_submenu a[href='/my/home']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the recalls",
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
            content: "The implanted pacemaker and its patient are listed",
            trigger: "tr.o_recall_patient[data-lot='PM-001'] .o_recall_patient_ref:contains('RJ-2026-0001')",
        },
        {
            content: "Confirm having read the notice",
            trigger: "#recall_confirm",
            run: "click",
        },
        {
            content: "Re-enter the password to sign",
            trigger: "#recall_password",
            run: "edit hosp_a-password",
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
            content: "The patient was notified",
            trigger: "tr.o_recall_patient[data-lot='PM-001'] select.o_recall_patient_select",
            run: "select notified",
        },
        {
            content: "Today, by default",
            trigger: "tr.o_recall_patient[data-lot='PM-001'] input.o_recall_patient_date:value",
        },
        {
            content: "Record the report per patient",
            trigger: "button.o_recall_patients_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The report is recorded",
            trigger: ".o_recall_message",
        },
        {
            content: "The patient's status is shown",
            trigger: "tr.o_recall_patient[data-lot='PM-001'] .o_recall_patient_status[data-status='notified']",
        },
    ],
});
