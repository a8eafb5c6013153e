// Opaque C handles shared by more than one capi file.
#pragma once

#include <memory>

#include "runtime/checkpoint.h"

struct inp_checkpoint {
    std::unique_ptr<inp::Checkpoint> impl;
};
