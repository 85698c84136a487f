package wire

// Type tags of typed values (SUMO tools/traci/constants.py, "DATA TYPES").
const (
	PositionLonLat = 0x00
	Position2D     = 0x01
	Position3D     = 0x03
	PositionRoad   = 0x04
	TypePolygon    = 0x06
	TypeUByte      = 0x07
	TypeByte       = 0x08
	TypeInteger    = 0x09
	TypeDouble     = 0x0B
	TypeString     = 0x0C
	TypeStringList = 0x0E
	TypeCompound   = 0x0F
	TypeDoubleList = 0x10
	TypeColor      = 0x11
)

// Result codes of a status answer.
const (
	ResultOK             = 0x00
	ResultNotImplemented = 0x01
	ResultError          = 0xFF
)

// Control commands.
const (
	CmdGetVersion = 0x00
	CmdLoad       = 0x01
	CmdSimStep    = 0x02
	CmdSetOrder   = 0x03
	CmdClose      = 0x7F
)

// Command ids of the classic domains: a GET request is GetBase + domain,
// its response + ResponseOffset, a SET request SetBase + domain.
const (
	GetBase        = 0xa0
	SetBase        = 0xc0
	ResponseOffset = 0x10
)

// Domains (the low nibble of GET and SET command ids).
const (
	DomInductionLoop = 0x0
	DomTrafficLight  = 0x2
	DomLane          = 0x3
	DomVehicle       = 0x4
	DomVehicleType   = 0x5
	DomRoute         = 0x6
	DomJunction      = 0x9
	DomEdge          = 0xa
	DomSimulation    = 0xb
	DomGUI           = 0xc
)

// Special values (constants.py).
const (
	InvalidDouble = -1073741824.0
	InvalidInt    = -1073741824
)

// Version is what getVersion reports: the TraCI API version of SUMO 1.15
// and an identification string in SUMO's form ("SUMO x.y.z") with
// CityTwin named after it.
const (
	APIVersion  = 20
	VersionName = "SUMO 1.15.0 (CityTwin)"
)
