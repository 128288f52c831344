// Names of the plan's enumerations, as the index and `--json` write them.
#include "strata/planner/snapshot_plan.hpp"

namespace strata::planner {

std::string_view to_string(TriggerKind kind) {
    switch (kind) {
        case TriggerKind::layer: return "layer";
        case TriggerKind::height: return "height";
        case TriggerKind::time: return "time";
        case TriggerKind::marker: return "marker";
    }
    return "?";
}

std::string_view to_string(CandidateKind kind) {
    switch (kind) {
        case CandidateKind::retracted_lifted_travel: return "retracted_lifted_travel";
        case CandidateKind::retracted_travel: return "retracted_travel";
        case CandidateKind::retracted_lifted: return "retracted_lifted";
        case CandidateKind::retracted: return "retracted";
        case CandidateKind::travel: return "travel";
        case CandidateKind::extrusion: return "extrusion";
    }
    return "?";
}

}  // namespace strata::planner
